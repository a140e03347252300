import { describe, expect, it } from 'vitest';
import { clock, fromLocalInput, initials, label, relative, soonAt, theirTime, toLocalInput, wordCount } from '../format';

describe('format', () => {
  it('turns vocabulary words into labels', () => {
    expect(label('job_board')).toBe('Job board');
    expect(label('met')).toBe('Met');
    expect(label(null)).toBe('');
  });

  it('shows a timer as minutes and seconds, with a sign when over', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(125)).toBe('2:05');
    expect(clock(20 * 60)).toBe('20:00');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-61)).toBe('−1:01');
  });

  it('says how far away an instant is', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(relative('2026-12-03T12:00:20Z', now)).toBe('now');
    expect(relative('2026-12-03T12:30:00Z', now)).toBe('in 30 min');
    expect(relative('2026-12-03T09:00:00Z', now)).toBe('3 h ago');
    expect(relative('2026-12-08T12:00:00Z', now)).toBe('in 5 days');
  });

  it('makes initials from names, accents and single names included', () => {
    expect(initials('Zoë Okonkwo')).toBe('ZO');
    expect(initials('  Plato ')).toBe('P');
    expect(initials('Ana María de la Cruz')).toBe('AC');
    expect(initials('')).toBe('?');
  });

  it('round-trips a local date-time input through an instant', () => {
    const value = toLocalInput(new Date(2026, 11, 4, 10, 30));
    expect(value).toBe('2026-12-04T10:30');
    const instant = fromLocalInput(value);
    expect(instant).toMatch(/^2026-12-04T\d\d:30:00Z$/);
    expect(toLocalInput(instant!)).toBe(value);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('not a date')).toBeNull();
  });

  it('counts words as the etiquette check does', () => {
    expect(wordCount('')).toBe(0);
    expect(wordCount('  Hi   Zoë,\nthanks! ')).toBe(3);
  });
});

describe('soonAt', () => {
  it('names today and tomorrow, and the date beyond', () => {
    const now = new Date(2026, 11, 7, 15, 0);
    expect(soonAt(new Date(2026, 11, 7, 18, 30).toISOString(), now)).toMatch(/^Today /);
    expect(soonAt(new Date(2026, 11, 8, 9, 0).toISOString(), now)).toMatch(/^Tomorrow /);
    expect(soonAt(new Date(2026, 11, 10, 9, 0).toISOString(), now)).not.toMatch(/Today|Tomorrow/);
    expect(soonAt(null, now)).toBe('');
  });
});

describe('theirTime', () => {
  it('tells their wall clock and how far it is from ours', () => {
    const now = new Date('2026-12-07T15:00:00Z');
    const utc = theirTime('UTC', now);
    expect(utc?.time).toMatch(/15[:.]00|03[:.]00/);
    const tokyo = theirTime('Asia/Tokyo', now);
    expect(tokyo?.time).toMatch(/00[:.]00|12[:.]00/);
    // The offset is from the zone the tests run in, whichever it is.
    const mine = -now.getTimezoneOffset();
    const expected = 9 * 60 - mine;
    if (expected === 0) expect(tokyo?.offset).toBe('same time as you');
    else expect(tokyo?.offset).toContain(expected > 0 ? 'ahead of you' : 'behind you');
    expect(theirTime('Asia/Kolkata', now)?.offset).toMatch(/30 min|same time/);
    expect(theirTime('Not/AZone', now)).toBeNull();
    expect(theirTime(null, now)).toBeNull();
  });
});
