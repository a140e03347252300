// Generated from the Rust types by crates/core/src/typescript.rs. Do not edit:
// `UPDATE_TS=1 cargo test -p rapport-core typescript` rewrites it, and CI fails when it is stale.

export type Kind = 'person' | 'organization' | 'goal' | 'meeting' | 'outreach' | 'task' | 'question' | 'template' | 'profile' | 'device';
export const KINDS: readonly Kind[] = ['person', 'organization', 'goal', 'meeting', 'outreach', 'task', 'question', 'template', 'profile', 'device'];

export type Source = 'friend' | 'family' | 'alumni' | 'association' | 'linkedin' | 'job_board' | 'meetup' | 'professor' | 'recruiter' | 'article' | 'referral' | 'event' | 'colleague' | 'other';
export const SOURCES: readonly Source[] = ['friend', 'family', 'alumni', 'association', 'linkedin', 'job_board', 'meetup', 'professor', 'recruiter', 'article', 'referral', 'event', 'colleague', 'other'];

export type Warmth = 'cold' | 'acquaintance' | 'warm' | 'close';
export const WARMTHS: readonly Warmth[] = ['cold', 'acquaintance', 'warm', 'close'];

export type Postings = 'unknown' | 'none' | 'unrelated' | 'relevant';
export const POSTINGS: readonly Postings[] = ['unknown', 'none', 'unrelated', 'relevant'];

export type GoalStatus = 'active' | 'paused' | 'reached' | 'dropped';
export const GOAL_STATUSES: readonly GoalStatus[] = ['active', 'paused', 'reached', 'dropped'];

export type Medium = 'phone' | 'video' | 'coffee' | 'lunch' | 'office' | 'other';
export const MEDIUMS: readonly Medium[] = ['phone', 'video', 'coffee', 'lunch', 'office', 'other'];

export type MeetingStatus = 'proposed' | 'confirmed' | 'held' | 'cancelled';
export const MEETING_STATUSES: readonly MeetingStatus[] = ['proposed', 'confirmed', 'held', 'cancelled'];

export type Channel = 'email' | 'linkedin' | 'phone' | 'text' | 'in_person' | 'other';
export const CHANNELS: readonly Channel[] = ['email', 'linkedin', 'phone', 'text', 'in_person', 'other'];

export type OutreachStatus = 'draft' | 'sent' | 'replied' | 'declined';
export const OUTREACH_STATUSES: readonly OutreachStatus[] = ['draft', 'sent', 'replied', 'declined'];

export type TaskKind = 'follow_up' | 'loose_end' | 'give_back' | 'check_in' | 'outreach' | 'confirm' | 'thank_you' | 'research' | 'other';
export const TASK_KINDS: readonly TaskKind[] = ['follow_up', 'loose_end', 'give_back', 'check_in', 'outreach', 'confirm', 'thank_you', 'research', 'other'];

export type QuestionCategory = 'small_talk' | 'day_to_day' | 'path' | 'skills' | 'trends' | 'challenges' | 'culture' | 'hiring' | 'education' | 'career_change' | 'advice' | 'resources' | 'referrals';
export const QUESTION_CATEGORIES: readonly QuestionCategory[] = ['small_talk', 'day_to_day', 'path', 'skills', 'trends', 'challenges', 'culture', 'hiring', 'education', 'career_change', 'advice', 'resources', 'referrals'];

export type Tiara = 'trends' | 'insights' | 'advice' | 'resources' | 'assignments';
export const TIARAS: readonly Tiara[] = ['trends', 'insights', 'advice', 'resources', 'assignments'];

export type GoalFocus = 'role' | 'industry' | 'organization' | 'any';
export const GOAL_FOCUSES: readonly GoalFocus[] = ['role', 'industry', 'organization', 'any'];

export type TemplatePurpose = 'outreach' | 'follow_up' | 'thank_you' | 'check_in' | 'update';
export const TEMPLATE_PURPOSES: readonly TemplatePurpose[] = ['outreach', 'follow_up', 'thank_you', 'check_in', 'update'];

export type TakeawayTopic = 'skills' | 'trends' | 'culture' | 'hiring' | 'education' | 'other';
export const TAKEAWAY_TOPICS: readonly TakeawayTopic[] = ['skills', 'trends', 'culture', 'hiring', 'education', 'other'];

export type Stage = 'identified' | 'researching' | 'outreach_drafted' | 'requested' | 'scheduled' | 'confirmed' | 'met' | 'thanked' | 'keeping_in_touch' | 'declined' | 'no_reply';
export const STAGES: readonly Stage[] = ['identified', 'researching', 'outreach_drafted', 'requested', 'scheduled', 'confirmed', 'met', 'thanked', 'keeping_in_touch', 'declined', 'no_reply'];

export type ErrorCode = 'validation' | 'not_found' | 'already_open' | 'storage' | 'refused' | 'network' | 'internal';
export const ERROR_CODES: readonly ErrorCode[] = ['validation', 'not_found', 'already_open', 'storage', 'refused', 'network', 'internal'];

/** An RFC 3339 instant, e.g. "2026-12-03T15:00:00Z". */
export type Timestamp = string;
/** A record's id: a UUID v7. */
export type Id = string;
/** A record of one kind: its metadata, `kind`, and its fields side by side. */
export type RecordOf<K extends Kind> = Extract<AnyRecord, { kind: K }>;

export type Answer = { question_id: Id, text: string, };

export type AnyRecord = { id: Id, created_at: Timestamp, updated_at: Timestamp, 
/**
 * Set when the record was deleted. The document stays (so the deletion syncs) but the record
 * leaves every list, index and search.
 */
deleted_at?: Timestamp | null, } & ({ "kind": "person" } & Person | { "kind": "organization" } & Organization | { "kind": "goal" } & Goal | { "kind": "meeting" } & Meeting | { "kind": "outreach" } & Outreach | { "kind": "task" } & Task | { "kind": "question" } & Question | { "kind": "template" } & Template | { "kind": "profile" } & Profile | { "kind": "device" } & Device);

export type ApiError = { code: ErrorCode, message: string, };

export type AppEvent = { "type": "sync" } & SyncEvent | { "type": "reminder" } & Reminder;

export type BriefQuestion = { id: Id, text: string, phase: number, 
/**
 * The research notes seem to cover this already: ask something deeper, or skip it.
 */
research_may_answer: boolean, 
/**
 * The answer noted in this or an earlier meeting with them, if any.
 */
answer: string | null, };

export type Call = { "list": ListRequest } | { "get": { id: Id, } } | { "list_all": { kind: Kind, } } | { "search": SearchRequest } | { "create": { kind: Kind, fields: Record<string, unknown>, } } | { "update": { id: Id, patch: Record<string, unknown>, } } | { "delete": { id: Id, } } | { "link": LinkRequest } | { "unlink": LinkRequest } | { "today": { time_zone?: string, 
/**
 * The most items of each section (default 5; `totals` counts them all).
 */
limit?: number, } } | { "dashboard": { time_zone?: string, } } | { "next_to_contact": { limit?: number, } } | { "organizations_by_lamp": Record<symbol, never> } | { "check_outreach": { text: string, } } | { "draft_message": { person_id: Id, purpose?: TemplatePurpose, template_id?: Id, times?: Array<Timestamp>, 
/**
 * Store it as a draft (otherwise it is a preview that changes nothing).
 */
save?: boolean, } } | { "outreach_sent": { id: Id, at?: Timestamp, } } | { "outreach_replied": { id: Id, declined?: boolean, at?: Timestamp, } } | { "set_stage": { person_id: Id, stage: Stage | null, } } | { "prep_brief": { id: Id, } } | { "start_meeting": { id: Id, } } | { "stop_meeting": { id: Id, } } | { "meeting_timer": { id: Id, } } | { "answer": { meeting_id: Id, question_id: Id, text: string, } } | { "add_takeaway": { meeting_id: Id, text: string, topic: TakeawayTopic, } } | { "capture_referral": ReferralCapture } | { "thank_you_sent": { meeting_id: Id, at?: Timestamp, } } | { "profile": Record<symbol, never> } | { "set_profile": { fields: Record<string, unknown>, } } | { "devices": Record<symbol, never> } | { "device_key": Record<symbol, never> } | { "remove_device": { id: Id, } } | { "stats": Record<symbol, never> } | { "sync_status": Record<symbol, never> } | { "pairing_code": Record<symbol, never> } | { "pair_with": { ticket: string, } } | { "sync_now": Record<symbol, never> } | { "reminders": Record<symbol, never> } | { "import_contacts": { format: ContactFormat, text: string, dry_run?: boolean, skip_invalid?: boolean, } } | { "import_backup": { text: string, dry_run?: boolean, } } | { "export": { format: ExportFormat, } };

export type Captured = { person: RecordOf<'person'>, task: RecordOf<'task'> | null, 
/**
 * How an existing person was recognised (`email`, `link` or `name`); none when the
 * person is new.
 */
matched_by: string | null, };

export type Chain = { root: ChainNode, depth: number, people: number, met: number, };

export type ChainNode = { id: Id, name: string, stage: Stage, 
/**
 * The referral led to a conversation.
 */
met: boolean, children: Array<ChainNode>, };

export type ContactFormat = "linkedin" | "vcard" | "google-csv";

export type ContactPoint = { value: string, label?: string | null, };

export type Dashboard = { funnel: Funnel, per_week: Array<Week>, 
/**
 * The largest chains (at most `progress::SHOWN_CHAINS`), most people first.
 */
referral_chains: Array<Chain>, 
/**
 * How many chains there are in all.
 */
chains_total: number, 
/**
 * How many people came by referral.
 */
referred: number, stages: { [key in string]: number }, 
/**
 * How long replies took, in days (to the minute): the median over every replied message.
 */
reply_days_median: number | null, replies: number, takeaways_by_goal: Array<Rollup>, takeaways_by_industry: Array<Rollup>, 
/**
 * How many conversations the roll-ups read: the latest ones with takeaways.
 */
takeaways_from: number, 
/**
 * How many conversations left takeaways in all.
 */
conversations_with_takeaways: number, };

export type Device = { 
/**
 * What the user calls it ("Ada's phone").
 */
name: string, 
/**
 * Its public key (an iroh endpoint id) as 64 hex digits: the device's identity.
 */
key: string, 
/**
 * Where it was last reachable (`ip:port`): hints for dialing, never proof of identity.
 */
addresses: Array<string>, 
/**
 * The relays it is reachable through (iroh-relay URLs), so another device can dial it
 * through them with no lookup service; hints too, like the addresses.
 */
relays: Array<string>, 
/**
 * Set when the device was removed: from then on every device refuses it.
 */
revoked_at: Timestamp | null, };

export type Draft = { outreach: RecordOf<'outreach'>, findings: Array<Finding>, missing: Array<string>, 
/**
 * Whether it was stored (as a draft of the person's messages).
 */
saved: boolean, 
/**
 * What the user should know before sending, such as an earlier message to the same person.
 */
note: string | null, };

export type Due = { person_id: Id | null, person_name: string, 
/**
 * The meeting, message or task it is about.
 */
record_id: Id, what: string, due_at: Timestamp, 
/**
 * Due on a day rather than at a time (given as a date): show the day only.
 */
all_day: boolean, overdue: boolean, };

export type ExportFile = { filename: string, media_type: string, text: string, };

export type ExportFormat = "json" | "people-csv" | "orgs-csv" | "vcard" | "ics";

export type Finding = { rule: string, severity: Severity, message: string, start: number, end: number, excerpt: string, };

export type Funnel = { identified: number, contacted: number, replied: number, met: number, thanked: number, };

export type Goal = { name: string, target_role: string | null, target_industry: string | null, target_organization_id: Id | null, status: GoalStatus | null, 
/**
 * 1 (most important) to 5.
 */
priority: number | null, notes: string, };

export type HistoryItem = { at: Timestamp, what: string, record_id: Id, };

export type ImportReport = { created: number, updated: number, unchanged: number, organizations_created: number, 
/**
 * Rows with nothing to import (no name, email or profile URL).
 */
skipped: number, invalid: Array<RowError>, 
/**
 * False when nothing was written: a dry run, or invalid rows without `skip_invalid`.
 */
applied: boolean, 
/**
 * Who is new or changed, in file order: the first [`IMPORT_LISTED`] (the counts are whole).
 */
people: Array<ImportedPerson>, };

export type ImportedPerson = { name: string, organization: string | null, 
/**
 * New to the vault (otherwise an existing person gains what the file adds).
 */
new: boolean, };

export type Link = { url: string, label?: string | null, };

export type LinkRequest = { from: Id, to: Id, };

export type ListRequest = { kind?: Kind, order?: SortOrder, 
/**
 * Only records about this person (meetings, outreach, tasks).
 */
person?: Id, 
/**
 * Only records of this organization.
 */
organization?: Id, 
/**
 * Only records linked to this goal.
 */
goal?: Id, 
/**
 * The `next` of the previous page.
 */
after?: string, 
/**
 * At most this many (default 50, at most 1000).
 */
limit?: number, };

export type ListResponse = { items: Array<AnyRecord>, 
/**
 * Pass as `after` for the next page; absent on the last page.
 */
next: string | null, 
/**
 * How many records the whole list holds (all live records of the kind, or those of the
 * person, organization or goal asked for).
 */
total: number, };

export type Meeting = { title: string, person_id: Id | null, status: MeetingStatus | null, proposed_slots: Array<Slot>, 
/**
 * The confirmed start.
 */
start: Timestamp | null, 
/**
 * The IANA time zone the meeting was agreed in.
 */
time_zone: string | null, 
/**
 * Planned length in minutes (15, 20, 30, or another length).
 */
planned_minutes: number | null, medium: Medium | null, place: string | null, started_at: Timestamp | null, ended_at: Timestamp | null, agenda: string, question_ids: Array<Id>, answers: Array<Answer>, notes: string, takeaways: Array<Takeaway>, thanked_at: Timestamp | null, };

export type NextContact = { person: RecordOf<'person'>, score: number, reasons: Array<Reason>, };

export type Nudge = { outreach_id: Id, person_id: Id | null, person_name: string, business_days: number, nudge: NudgeAdvice, 
/**
 * For `try_another_person`: people at the same organization not contacted yet.
 */
others_at_organization: Array<Id>, };

export type NudgeAdvice = "wait" | "try_another_person" | "follow_up";

export type Organization = { name: string, industry: string | null, website: string | null, location: string | null, 
/**
 * LAMP "advocacy": the user knows an insider.
 */
advocacy: boolean, 
/**
 * LAMP "motivation": how much the user wants to work there, 1 to 5.
 */
motivation: number | null, 
/**
 * LAMP "postings": relevant openings advertised.
 */
postings: Postings | null, links: Array<Link>, tags: Array<string>, goal_ids: Array<Id>, notes: string, };

export type Outreach = { title: string, person_id: Id | null, template_id: Id | null, channel: Channel | null, status: OutreachStatus | null, subject: string | null, body: string, sent_at: Timestamp | null, replied_at: Timestamp | null, 
/**
 * The message this one follows up on.
 */
follows_up_id: Id | null, 
/**
 * What the message is for (a first request, a follow-up, a thank-you…): sending it settles
 * what was due (a thank-you sent clears the thank-you due).
 */
purpose: TemplatePurpose | null, };

export type PairingCode = { ticket: string, qr_svg: string, expires_at: Timestamp, };

export type PeerStatus = { device: string, key: string, seen: boolean, connected: boolean, last_synced: Timestamp | null, last_error: string | null, 
/**
 * Documents still to move in the session under way (none when idle).
 */
pending: number | null, 
/**
 * How the last session reached the device: directly or through a relay.
 */
route: Route | null, 
/**
 * How long the last session took, in milliseconds.
 */
last_took_ms: number | null, };

export type Person = { name: string, role: string | null, organization_id: Id | null, emails: Array<ContactPoint>, phones: Array<ContactPoint>, links: Array<Link>, location: string | null, 
/**
 * Their IANA time zone (`Europe/Paris`), for proposing times in their day.
 */
time_zone: string | null, 
/**
 * How the user found them…
 */
source: Source | null, 
/**
 * …and the detail: the article, the event, the association.
 */
source_detail: string | null, 
/**
 * The person who pointed the user to them.
 */
referred_by_id: Id | null, warmth: Warmth | null, 
/**
 * How likely they are to say yes to a conversation, 1 (unlikely) to 5 (certain).
 */
likelihood: number | null, tags: Array<string>, goal_ids: Array<Id>, research_notes: string, 
/**
 * Days between check-ins; none means the default of 90.
 */
cadence_days: number | null, 
/**
 * For employers: someone met as a possible future hire.
 */
candidate: boolean, 
/**
 * The stage set by hand, if any (the effective stage also follows from the facts).
 */
stage: Stage | null, 
/**
 * Every change of the effective stage, oldest first.
 */
stage_log: Array<StageChange>, 
/**
 * The last meeting, message or update with them (resets the keep-in-touch clock).
 */
last_interaction_at: Timestamp | null, };

export type PrepBrief = { meeting: RecordOf<'meeting'> | null, person: RecordOf<'person'>, organization: RecordOf<'organization'> | null, referred_by: RecordOf<'person'> | null, my_story: string, background: string | null, agenda: string, questions: Array<BriefQuestion>, loose_ends: RecordOf<'task'>[], history: Array<HistoryItem>, };

export type Profile = { 
/**
 * The user's name, as they sign messages.
 */
name: string, 
/**
 * One line about the user, for outreach ("a data analyst moving into energy").
 */
background: string | null, 
/**
 * The reusable pitch: who the user is, what they are exploring, why.
 */
my_story: string, 
/**
 * What the user usually asks for ("20 minutes on a call").
 */
ask: string | null, 
/**
 * The user's IANA time zone.
 */
time_zone: string | null, 
/**
 * When the user can take calls, in their zone, as `HH:MM-HH:MM` (default 09:00-17:00,
 * Monday to Friday): proposed times fall inside these hours.
 */
hours: string | null, 
/**
 * The user's own relays (iroh-relay URLs) for devices that share no network. Kept in the
 * vault, so every device of it uses them; empty: iroh's public relays.
 */
relays: Array<string>, };

export type Question = { 
/**
 * The question as the user would ask it.
 */
title: string, category: QuestionCategory | null, tiara: Tiara | null, suits: Array<GoalFocus>, 
/**
 * Hidden questions stay in the bank but are not offered.
 */
hidden: boolean, 
/**
 * Shipped with Rapport (as opposed to written by the user).
 */
builtin: boolean, };

export type Reason = "warm_referral" | "known_to_you" | "likely_yes" | "top_goal" | "top_organization" | "not_contacted";

export type ReferralCapture = { 
/**
 * Who gave the referral.
 */
referrer_id?: Id, 
/**
 * The meeting it came up in.
 */
meeting_id?: Id, name: string, role?: string, email?: string, 
/**
 * A profile URL (LinkedIn or another page about them).
 */
link?: string, 
/**
 * Where they work: an organization's id or name (created if no organization has it).
 */
organization?: string, note?: string, };

export type Reminder = { kind: ReminderKind, 
/**
 * The meeting it is about.
 */
record_id: Id, title: string, body: string, at: Timestamp, };

export type ReminderKind = "meeting_soon" | "thank_you_due";

export type RestoreReport = { created: number, updated: number, unchanged: number, 
/**
 * Device records in the backup, never restored: which devices may sync changes only by
 * pairing and removal (docs/threat-model.md).
 */
devices_skipped: number, };

export type Rollup = { group: string, topics: { [key in string]: Array<string> }, };

export type Route = "direct" | "relay";

export type RowError = { 
/**
 * The line of the file the row or card starts on (1-based).
 */
line: number, reason: string, };

export type SearchHit = { id: Id, kind: Kind, 
/**
 * The record's name or title.
 */
title: string, 
/**
 * What tells it apart from others of the same name: a person's role and organization, an
 * organization's industry, a meeting's day (empty when there is nothing to say).
 */
detail: string, score: number, };

export type SearchRequest = { query: string, kind?: Kind, limit?: number, };

export type SearchResponse = { hits: Array<SearchHit>, };

export type SessionStats = { documents_sent: number, documents_received: number, sync_messages_sent: number, sync_messages_received: number, 
/**
 * Documents whose state changed here because of the peer.
 */
documents_changed: number, 
/**
 * Frame bytes on the wire each way (counted by the transport; zero in the harness).
 */
bytes_sent: number, bytes_received: number, };

export type Severity = "warning" | "error";

export type Signal = "not_started" | "running" | "wrap_up" | "at_time" | "over" | "ended";

export type Slot = { start: Timestamp, };

export type SortOrder = "name" | "updated";

export type StageChange = { at: Timestamp, stage: Stage, };

export type StoreStats = { documents: number, change_chunks: number, 
/**
 * Snapshots and change chunks together.
 */
document_bytes: number, 
/**
 * The projected records (JSON).
 */
record_bytes: number, index_entries: number, 
/**
 * The database's files (not the search index).
 */
disk_bytes: number, };

export type SyncEvent = { "event": "listening", key: string, addresses: Array<string>, } | { "event": "seen", device: string, key: string, } | { "event": "connected", device: string, key: string, } | { "event": "progress", device: string, key: string, pending: number, done: number, } | { "event": "synced", device: string, key: string, at: Timestamp, 
/**
 * How the session's connection reached the device at its end.
 */
route: Route, 
/**
 * How long the session took, in milliseconds.
 */
took_ms: number, documents_sent: number, documents_received: number, sync_messages_sent: number, sync_messages_received: number, 
/**
 * Documents whose state changed here because of the peer.
 */
documents_changed: number, 
/**
 * Frame bytes on the wire each way (counted by the transport; zero in the harness).
 */
bytes_sent: number, bytes_received: number, } | { "event": "paired", device: string, key: string, } | { "event": "refused", key: string, reason: string, } | { "event": "disconnected", device: string, key: string, } | { "event": "error", device: string | null, reason: string, };

export type SyncOutcome = { device: string, ok: boolean, error?: string, stats?: SessionStats, 
/**
 * How the connection reached the device (after a sync that went through).
 */
route?: Route, 
/**
 * How long the sync took, in milliseconds.
 */
took_ms?: number, };

export type SyncStatus = { 
/**
 * Whether this app runs sync at all (off in tests, or when it could not start).
 */
running: boolean, key: string | null, addresses: Array<string>, 
/**
 * By device key.
 */
peers: { [key in string]: PeerStatus }, 
/**
 * Why sync is not running, or the last failure not tied to a device.
 */
error: string | null, };

export type Takeaway = { id: Id, text: string, topic: TakeawayTopic, };

export type Task = { title: string, task_kind: TaskKind | null, person_id: Id | null, meeting_id: Id | null, due_at: Timestamp | null, done_at: Timestamp | null, notes: string, };

export type Template = { title: string, purpose: TemplatePurpose | null, subject: string | null, body: string, };

export type Timer = { elapsed_secs: number, planned_secs: number, remaining_secs: number, signal: Signal, };

export type Today = { meetings: RecordOf<'meeting'>[], thank_yous: Array<Due>, follow_ups: Array<Nudge>, tasks: Array<Due>, check_ins: Array<Due>, totals: TodayTotals, };

export type TodayTotals = { meetings: number, thank_yous: number, follow_ups: number, tasks: number, check_ins: number, };

export type Week = { 
/**
 * The Monday the week starts on.
 */
week_of: string, conversations: number, };

/** What every call answers, by operation (the arguments are `Call`). */
export interface Results {
  list: ListResponse;
  get: AnyRecord;
  list_all: Array<AnyRecord>;
  search: SearchResponse;
  create: AnyRecord;
  update: AnyRecord;
  delete: AnyRecord;
  link: AnyRecord;
  unlink: AnyRecord;
  today: Today;
  dashboard: Dashboard;
  next_to_contact: Array<NextContact>;
  organizations_by_lamp: Array<RecordOf<'organization'>>;
  check_outreach: Array<Finding>;
  draft_message: Draft;
  outreach_sent: RecordOf<'outreach'>;
  outreach_replied: RecordOf<'outreach'>;
  set_stage: RecordOf<'person'>;
  prep_brief: PrepBrief;
  start_meeting: RecordOf<'meeting'>;
  stop_meeting: RecordOf<'meeting'>;
  meeting_timer: Timer;
  answer: RecordOf<'meeting'>;
  add_takeaway: RecordOf<'meeting'>;
  capture_referral: Captured;
  thank_you_sent: RecordOf<'meeting'>;
  profile: RecordOf<'profile'> | null;
  set_profile: RecordOf<'profile'>;
  devices: Array<RecordOf<'device'>>;
  device_key: string | null;
  remove_device: RecordOf<'device'>;
  stats: StoreStats;
  sync_status: SyncStatus;
  pairing_code: PairingCode;
  pair_with: RecordOf<'device'>;
  sync_now: Array<SyncOutcome>;
  reminders: Array<Reminder>;
  import_contacts: ImportReport;
  import_backup: RestoreReport;
  export: ExportFile;
}
