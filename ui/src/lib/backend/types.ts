// The shapes the Rust API takes and returns live in ./generated.ts, written from the Rust types
// (crates/core/src/typescript.rs; a Rust test fails when it is stale). This module adds the
// names the screens use and types every call from the generated `Call` and `Results`.
import type { AppEvent, Call, Kind, RecordOf, Results } from './generated';

export type * from './generated';

export type PersonRecord = RecordOf<'person'>;
export type OrganizationRecord = RecordOf<'organization'>;
export type GoalRecord = RecordOf<'goal'>;
export type MeetingRecord = RecordOf<'meeting'>;
export type OutreachRecord = RecordOf<'outreach'>;
export type TaskRecord = RecordOf<'task'>;
export type QuestionRecord = RecordOf<'question'>;
export type TemplateRecord = RecordOf<'template'>;
export type DeviceRecord = RecordOf<'device'>;
export type ProfileRecord = RecordOf<'profile'>;
/** Every record kind, by name. */
export type RecordKind = Kind;

/** The arguments of one operation, read from the generated `Call` union. */
type ArgsOf<O extends string> = Call extends infer C ? (C extends { [K in O]: infer A } ? A : never) : never;

/**
 * Every call the Rust API answers: its arguments and what it returns. Operations without
 * arguments (`{}` in Rust) take none here.
 */
export type Calls = {
  [O in keyof Results]: [[keyof ArgsOf<O>] extends [symbol] ? undefined : ArgsOf<O>, Results[O]];
};

export type Op = keyof Calls;

/** How calls reach Rust: Tauri IPC in the app, HTTP in a browser. */
export interface Transport {
  call(op: string, args: unknown): Promise<unknown>;
  /** Calls `handler` with every event until the returned function is called. */
  listen(handler: (e: AppEvent) => void): () => void;
}
