// The shapes the Rust API takes and returns. The closed vocabularies (kinds, stages, media…)
// are generated from the Rust enums into ./generated.ts, and a Rust test fails when that file is
// stale; the record shapes below follow crates/model/src/records.rs and crates/core.
import type {
  Kind,
  Source,
  Warmth,
  Postings,
  GoalStatus,
  Medium,
  MeetingStatus,
  Channel,
  OutreachStatus,
  TaskKind,
  QuestionCategory,
  Tiara,
  GoalFocus,
  TemplatePurpose,
  TakeawayTopic,
  Stage,
  ErrorCode,
} from './generated';

export type * from './generated';

/** An RFC 3339 instant, e.g. "2026-12-03T15:00:00Z". */
export type Timestamp = string;
/** A UUID v7. */
export type Id = string;

export interface ContactPoint { value: string; label?: string }
export interface Link { url: string; label?: string }
export interface StageChange { at: Timestamp; stage: Stage }

export interface Meta {
  id: Id;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at?: Timestamp;
}

export interface Person {
  name: string;
  role: string | null;
  organization_id: Id | null;
  emails: ContactPoint[];
  phones: ContactPoint[];
  links: Link[];
  location: string | null;
  time_zone: string | null;
  source: Source | null;
  source_detail: string | null;
  referred_by_id: Id | null;
  warmth: Warmth | null;
  likelihood: number | null;
  tags: string[];
  goal_ids: Id[];
  research_notes: string;
  cadence_days: number | null;
  candidate: boolean;
  stage: Stage | null;
  stage_log: StageChange[];
  last_interaction_at: Timestamp | null;
}

export interface Organization {
  name: string;
  industry: string | null;
  website: string | null;
  location: string | null;
  advocacy: boolean;
  motivation: number | null;
  postings: Postings | null;
  links: Link[];
  tags: string[];
  goal_ids: Id[];
  notes: string;
}

export interface Goal {
  name: string;
  target_role: string | null;
  target_industry: string | null;
  target_organization_id: Id | null;
  status: GoalStatus | null;
  priority: number | null;
  notes: string;
}

export interface Answer { question_id: Id; text: string }
export interface Takeaway { id: Id; text: string; topic: TakeawayTopic }

export interface Meeting {
  title: string;
  person_id: Id | null;
  status: MeetingStatus | null;
  proposed_slots: { start: Timestamp }[];
  start: Timestamp | null;
  time_zone: string | null;
  planned_minutes: number | null;
  medium: Medium | null;
  place: string | null;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  agenda: string;
  question_ids: Id[];
  answers: Answer[];
  notes: string;
  takeaways: Takeaway[];
  thanked_at: Timestamp | null;
}

export interface Outreach {
  title: string;
  person_id: Id | null;
  template_id: Id | null;
  channel: Channel | null;
  status: OutreachStatus | null;
  subject: string | null;
  body: string;
  sent_at: Timestamp | null;
  replied_at: Timestamp | null;
  follows_up_id: Id | null;
}

export interface Task {
  title: string;
  task_kind: TaskKind | null;
  person_id: Id | null;
  meeting_id: Id | null;
  due_at: Timestamp | null;
  done_at: Timestamp | null;
  notes: string;
}

export interface Question {
  title: string;
  category: QuestionCategory | null;
  tiara: Tiara | null;
  suits: GoalFocus[];
  hidden: boolean;
  builtin: boolean;
}

export interface Template {
  title: string;
  purpose: TemplatePurpose | null;
  subject: string | null;
  body: string;
}

export interface Profile {
  name: string;
  background: string | null;
  my_story: string;
  ask: string | null;
  time_zone: string | null;
}

export interface Device {
  name: string;
  key: string;
  addresses: string[];
  revoked_at: Timestamp | null;
}

interface Bodies {
  person: Person;
  organization: Organization;
  goal: Goal;
  meeting: Meeting;
  outreach: Outreach;
  task: Task;
  question: Question;
  template: Template;
  profile: Profile;
  device: Device;
}

/** A record of one kind: its metadata, `kind`, and its fields side by side. */
export type RecordOf<K extends Kind> = Meta & { kind: K } & Bodies[K];
export type AnyRecord = { [K in Kind]: RecordOf<K> }[Kind];

export type PersonRecord = RecordOf<'person'>;
export type OrganizationRecord = RecordOf<'organization'>;
export type GoalRecord = RecordOf<'goal'>;
export type MeetingRecord = RecordOf<'meeting'>;
export type OutreachRecord = RecordOf<'outreach'>;
export type TaskRecord = RecordOf<'task'>;
export type QuestionRecord = RecordOf<'question'>;
export type DeviceRecord = RecordOf<'device'>;
export type ProfileRecord = RecordOf<'profile'>;

export interface ListRequest {
  kind: Kind;
  order?: 'name' | 'updated';
  person?: Id;
  organization?: Id;
  goal?: Id;
  after?: string;
  limit?: number;
}

export interface ListResponse<K extends Kind = Kind> {
  items: RecordOf<K>[];
  next: string | null;
  total: number;
}

export interface SearchHit { id: Id; kind: Kind; title: string; score: number }

export interface Due {
  person_id: Id | null;
  person_name: string;
  record_id: Id;
  what: string;
  due_at: Timestamp;
  overdue: boolean;
}

export interface Nudge {
  outreach_id: Id;
  person_id: Id | null;
  person_name: string;
  business_days: number;
  nudge: 'wait' | 'try_another_person' | 'follow_up';
  others_at_organization: Id[];
}

export interface Today {
  meetings: MeetingRecord[];
  thank_yous: Due[];
  follow_ups: Nudge[];
  tasks: Due[];
  check_ins: Due[];
}

export interface NextContact {
  person: PersonRecord;
  score: number;
  reasons: string[];
}

export interface Finding {
  rule: string;
  severity: 'warning' | 'error';
  message: string;
  start: number;
  end: number;
  excerpt: string;
}

export interface Draft { outreach: OutreachRecord; findings: Finding[]; missing: string[] }

export interface BriefQuestion {
  id: Id;
  text: string;
  phase: number;
  research_may_answer: boolean;
  answer: string | null;
}

export interface PrepBrief {
  meeting: MeetingRecord | null;
  person: PersonRecord;
  organization: OrganizationRecord | null;
  referred_by: PersonRecord | null;
  my_story: string;
  background: string | null;
  agenda: string;
  questions: BriefQuestion[];
  loose_ends: TaskRecord[];
  history: { at: Timestamp; what: string; record_id: Id }[];
}

export interface Timer {
  elapsed_secs: number;
  planned_secs: number;
  remaining_secs: number;
  signal: 'not_started' | 'running' | 'wrap_up' | 'at_time' | 'over';
}

export interface ReferralCapture {
  referrer_id?: Id;
  meeting_id?: Id;
  name: string;
  role?: string;
  email?: string;
  note?: string;
}

export interface ChainNode { id: Id; name: string; stage: Stage; met: boolean; children: ChainNode[] }
export interface Chain { root: ChainNode; depth: number; people: number; met: number }
export interface Funnel { identified: number; contacted: number; replied: number; met: number; thanked: number }
export interface Rollup { group: string; topics: Record<string, string[]> }

export interface Dashboard {
  funnel: Funnel;
  per_week: { week_of: string; conversations: number }[];
  referral_chains: Chain[];
  stages: Record<string, number>;
  reply_days_median: number | null;
  replies: number;
  takeaways_by_goal: Rollup[];
  takeaways_by_industry: Rollup[];
}

export interface ApiError { code: ErrorCode; message: string }

/** What the sync node reports (crates/sync/src/node.rs, `SyncEvent`). */
export type SyncEvent =
  | { event: 'listening'; key: string; addresses: string[] }
  | { event: 'seen'; device: string; key: string }
  | { event: 'connected'; device: string; key: string }
  | { event: 'synced'; device: string; key: string; at: Timestamp; documents_received: number; documents_changed: number; documents_sent: number }
  | { event: 'paired'; device: string; key: string }
  | { event: 'refused'; key: string; reason: string }
  | { event: 'disconnected'; device: string; key: string }
  | { event: 'error'; device: string | null; reason: string }
  | { event: 'progress'; device: string; key: string; pending: number; done: number };

export interface Reminder {
  kind: 'meeting_soon' | 'thank_you_due';
  record_id: Id;
  title: string;
  body: string;
  at: Timestamp;
}

/** What the app reports while it runs (crates/core/src/background.rs, `AppEvent`). */
export type AppEvent = ({ type: 'sync' } & SyncEvent) | ({ type: 'reminder' } & Reminder);

export interface PeerStatus {
  device: string;
  key: string;
  seen: boolean;
  connected: boolean;
  last_synced: Timestamp | null;
  last_error: string | null;
  /** Documents still to move in the session under way. */
  pending: number | null;
}

export interface SyncStatus {
  running: boolean;
  key: string | null;
  addresses: string[];
  peers: Record<string, PeerStatus>;
  error: string | null;
}

export interface PairingCode { ticket: string; qr_svg: string; expires_at: Timestamp }

/** The address-book exports `import_contacts` reads. */
export type ContactFormat = 'linkedin' | 'vcard' | 'google-csv';

/** A row (or card) of an imported file that could not be read; `line` is 1-based. */
export interface RowError { line: number; reason: string }

/** What `import_contacts` did or, in a dry run or with invalid rows, would do. */
export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  organizations_created: number;
  /** Rows with nothing to import (no name, email or profile URL). */
  skipped: number;
  invalid: RowError[];
  /** False when nothing was written: a dry run, or invalid rows without `skip_invalid`. */
  applied: boolean;
}

/** What `import_backup` did (or would do): counts of records of every kind. */
export interface RestoreReport { created: number; updated: number; unchanged: number }

/** The files `export` makes (Markdown and Automerge folders come from the command line). */
export type ExportFormat = 'json' | 'people-csv' | 'orgs-csv' | 'vcard' | 'ics';

/** A file for the user to save. */
export interface ExportFile { filename: string; media_type: string; text: string }

/** Every call the Rust API answers: its arguments and what it returns. */
export interface Calls {
  list: [ListRequest, ListResponse];
  get: [{ id: Id }, AnyRecord];
  list_all: [{ kind: Kind }, AnyRecord[]];
  search: [{ query: string; kind?: Kind; limit?: number }, { hits: SearchHit[] }];
  create: [{ kind: Kind; fields: Record<string, unknown> }, AnyRecord];
  update: [{ id: Id; patch: Record<string, unknown> }, AnyRecord];
  delete: [{ id: Id }, AnyRecord];
  link: [{ from: Id; to: Id }, AnyRecord];
  unlink: [{ from: Id; to: Id }, AnyRecord];
  today: [{ time_zone?: string }, Today];
  dashboard: [{ time_zone?: string }, Dashboard];
  next_to_contact: [{ limit?: number }, NextContact[]];
  organizations_by_lamp: [undefined, OrganizationRecord[]];
  check_outreach: [{ text: string }, Finding[]];
  draft_message: [{ person_id: Id; purpose?: TemplatePurpose; template_id?: Id; times?: Timestamp[] }, Draft];
  outreach_sent: [{ id: Id; at?: Timestamp }, OutreachRecord];
  outreach_replied: [{ id: Id; declined?: boolean }, OutreachRecord];
  set_stage: [{ person_id: Id; stage: Stage | null }, PersonRecord];
  prep_brief: [{ id: Id }, PrepBrief];
  start_meeting: [{ id: Id }, MeetingRecord];
  stop_meeting: [{ id: Id }, MeetingRecord];
  meeting_timer: [{ id: Id }, Timer];
  answer: [{ meeting_id: Id; question_id: Id; text: string }, MeetingRecord];
  add_takeaway: [{ meeting_id: Id; text: string; topic: TakeawayTopic }, MeetingRecord];
  capture_referral: [ReferralCapture, { person: PersonRecord; task: TaskRecord }];
  thank_you_sent: [{ meeting_id: Id; at?: Timestamp }, MeetingRecord];
  profile: [undefined, ProfileRecord | null];
  set_profile: [{ fields: Partial<Profile> }, ProfileRecord];
  devices: [undefined, DeviceRecord[]];
  device_key: [undefined, string | null];
  remove_device: [{ id: Id }, DeviceRecord];
  stats: [undefined, Record<string, unknown>];
  sync_status: [undefined, SyncStatus];
  pairing_code: [undefined, PairingCode];
  pair_with: [{ ticket: string }, DeviceRecord];
  sync_now: [undefined, { device: string; ok: boolean; error?: string; stats?: { documents_received: number; documents_changed: number; documents_sent: number } }[]];
  reminders: [undefined, Reminder[]];
  import_contacts: [{ format: ContactFormat; text: string; dry_run?: boolean; skip_invalid?: boolean }, ImportReport];
  import_backup: [{ text: string; dry_run?: boolean }, RestoreReport];
  export: [{ format: ExportFormat }, ExportFile];
}

export type Op = keyof Calls;

/** How calls reach Rust: Tauri IPC in the app, HTTP in a browser. */
export interface Transport {
  call(op: string, args: unknown): Promise<unknown>;
  /** Calls `handler` with every event until the returned function is called. */
  listen(handler: (e: AppEvent) => void): () => void;
}
