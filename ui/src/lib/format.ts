// How values read on screen. Pure functions, tested with Vitest.

/** `job_board` → `Job board`. */
export function label(word: string | null | undefined): string {
  if (!word) return '';
  const spaced = word.replace(/_/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const dayTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dayOnly = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/** "Thu 3 Dec, 15:00" in the viewer's zone. */
export function when(ts: string | null | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : dayTime.format(d);
}

/** "Thu 3 Dec". */
export function day(ts: string | null | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : dayOnly.format(d);
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekdayDay = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/** "Today 14:00", "Tomorrow 09:00", "Wed 9 Dec 09:00": short, for lists of the coming days. */
export function soonAt(ts: string | null | undefined, now: Date = new Date()): string {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  const days = Math.round(
    (new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() -
      new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()) /
      86_400_000,
  );
  const dayText = days === 0 ? 'Today' : days === 1 ? 'Tomorrow' : weekdayDay.format(d);
  return `${dayText} ${timeOnly.format(d)}`;
}

/** "in 3 h", "2 days ago", "now": how far `ts` is from `now`. */
export function relative(ts: string, now: number = Date.now()): string {
  const diff = new Date(ts).getTime() - now;
  const abs = Math.abs(diff);
  const min = 60_000, hour = 60 * min, dayMs = 24 * hour;
  let text: string;
  if (abs < min) return 'now';
  if (abs < hour) text = `${Math.round(abs / min)} min`;
  else if (abs < 2 * dayMs) text = `${Math.round(abs / hour)} h`;
  else text = `${Math.round(abs / dayMs)} days`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** Seconds as a clock: 125 → "2:05", 3725 → "1:02:05"; negative values keep their sign. */
export function clock(secs: number): string {
  const sign = secs < 0 ? '−' : '';
  const s = Math.abs(Math.trunc(secs));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${sign}${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

/** Initials for an avatar: "Zoë Okonkwo" → "ZO". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? words[words.length - 1][0] : '';
  return (first + last).toUpperCase();
}

/** An `<input type="datetime-local">` value for an instant, in the viewer's zone. */
export function toLocalInput(ts: string | Date): string {
  const d = typeof ts === 'string' ? new Date(ts) : ts;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The instant an `<input type="datetime-local">` value means, as RFC 3339 UTC. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Words in a text, as the etiquette check counts them. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The steps of a conversation, as the prep brief orders questions (see the model's `phase`). */
export const PHASES = ['Small talk', 'Trends', 'Insights', 'Advice', 'Resources', 'Referrals'];

/**
 * The time now in `zone` and how it differs from the viewer's: { time: "14:05", offset: "1 h
 * behind you" }, or null for a zone the browser does not know.
 */
export function theirTime(zone: string | null | undefined, now: Date = new Date()): { time: string; offset: string } | null {
  if (!zone) return null;
  try {
    const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(now);
    // The zone's wall clock read as if it were UTC, minus the instant: its offset from UTC.
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    }).formatToParts(now);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    const theirs = Math.round((wall - Math.floor(now.getTime() / 60_000) * 60_000) / 60_000);
    const mine = -now.getTimezoneOffset();
    const diff = theirs - mine;
    if (diff === 0) return { time, offset: 'same time as you' };
    const h = Math.floor(Math.abs(diff) / 60), m = Math.abs(diff) % 60;
    const span = m ? `${h} h ${m} min` : `${h} h`;
    return { time, offset: `${span} ${diff > 0 ? 'ahead of' : 'behind'} you` };
  } catch {
    return null;
  }
}
