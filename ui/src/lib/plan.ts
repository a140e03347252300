// Today's short plan: the few things that matter most, ranked. Pure, tested with Vitest.
import type { Today, Due, Nudge } from './backend';
import { relative } from './format';

/** The sections of everything due, as `Today` names them. */
export type Section = 'thank_yous' | 'follow_ups' | 'check_ins' | 'tasks';

export interface PlanItem {
  /** The record the action is on: the meeting, the message or the task. */
  id: string;
  section: Section;
  personId: string | null;
  personName: string;
  title: string;
  detail: string;
  chip: string;
  urgent: boolean;
  /** A follow-up is due (3B7), rather than trying someone else. */
  followUp: boolean;
}

/** How many things the plan lists; the rest are one tap away. */
export const PLAN_SIZE = 5;

/**
 * The plan, most important first: a thank-you due today, then an overdue one (the older it is,
 * the less it buys), a follow-up due under 3B7, a check-in, then other tasks.
 */
export function planOf(today: Today, size = PLAN_SIZE, now = Date.now()): PlanItem[] {
  const thanks = (d: Due): PlanItem => ({
    id: d.record_id,
    section: 'thank_yous',
    personId: d.person_id,
    personName: d.person_name,
    title: d.person_name ? `Thank ${d.person_name}` : d.what,
    detail: d.overdue ? '' : 'within a day of meeting',
    chip: d.overdue ? 'overdue' : `due ${relative(d.due_at, now)}`,
    urgent: !d.overdue,
    followUp: false,
  });
  const nudge = (n: Nudge): PlanItem => ({
    id: n.outreach_id,
    section: 'follow_ups',
    personId: n.person_id,
    personName: n.person_name,
    title: n.nudge === 'follow_up' ? `Follow up with ${n.person_name}` : `No reply from ${n.person_name}`,
    detail:
      n.nudge === 'follow_up'
        ? `${n.business_days} business days without a reply`
        : `${n.business_days} business days: try someone else there`,
    chip: '',
    urgent: false,
    followUp: n.nudge === 'follow_up',
  });
  const due = (section: Section) => (d: Due): PlanItem => ({
    id: d.record_id,
    section,
    personId: d.person_id,
    personName: d.person_name,
    title: d.what,
    detail: [d.person_name && section === 'tasks' ? d.person_name : '', d.all_day && !d.overdue ? 'due today' : `due ${relative(d.due_at, now)}`]
      .filter(Boolean)
      .join(' · '),
    chip: d.overdue && !d.all_day ? 'overdue' : '',
    urgent: false,
    followUp: false,
  });
  const ranked = [
    ...today.thank_yous.filter((d) => !d.overdue).map(thanks),
    ...today.thank_yous.filter((d) => d.overdue).map(thanks),
    ...today.follow_ups.filter((n) => n.nudge === 'follow_up').map(nudge),
    ...today.follow_ups.filter((n) => n.nudge !== 'follow_up').map(nudge),
    ...today.check_ins.map(due('check_ins')),
    ...today.tasks.map(due('tasks')),
  ];
  return ranked.slice(0, size);
}
