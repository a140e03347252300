import { describe, expect, it } from 'vitest';
import { planOf } from '../plan';
import type { Today, Due, Nudge } from '../backend';

const now = Date.parse('2026-12-07T10:00:00Z');
const due = (id: string, overdue: boolean, what = `Item ${id}`): Due => ({
  person_id: `p-${id}`,
  person_name: `Person ${id}`,
  record_id: id,
  what,
  due_at: overdue ? '2026-12-01T10:00:00Z' : '2026-12-07T18:00:00Z',
  all_day: false,
  overdue,
});
const nudge = (id: string, kind: Nudge['nudge']): Nudge => ({
  outreach_id: id,
  person_id: `p-${id}`,
  person_name: `Person ${id}`,
  business_days: kind === 'follow_up' ? 4 : 8,
  nudge: kind,
  others_at_organization: [],
});
const today = (t: Partial<Today>): Today => ({
  meetings: [],
  thank_yous: [],
  follow_ups: [],
  tasks: [],
  check_ins: [],
  totals: { meetings: 0, thank_yous: 0, follow_ups: 0, tasks: 0, check_ins: 0 },
  ...t,
});

describe('the plan', () => {
  it('ranks a thank-you due today over an overdue one, then follow-ups, check-ins, tasks', () => {
    const plan = planOf(
      today({
        tasks: [due('task', true)],
        check_ins: [due('check', false)],
        follow_ups: [nudge('other', 'try_another_person'), nudge('fu', 'follow_up')],
        thank_yous: [due('late', true), due('ontime', false)],
      }),
      10,
      now,
    );
    expect(plan.map((p) => p.id)).toEqual(['ontime', 'late', 'fu', 'other', 'check', 'task']);
    expect(plan[0].urgent).toBe(true);
    expect(plan[1].chip).toBe('overdue');
    expect(plan[2].followUp).toBe(true);
  });

  it('stays short however much is due', () => {
    const many = Array.from({ length: 500 }, (_, i) => due(`t${i}`, true));
    const plan = planOf(today({ tasks: many, thank_yous: many.slice(0, 96) }), undefined, now);
    expect(plan).toHaveLength(5);
    expect(plan.every((p) => p.section === 'thank_yous')).toBe(true);
  });
});
