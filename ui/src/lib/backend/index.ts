// The only module that talks to Rust. Inside the Tauri window it uses IPC; in a browser (served
// by `rapport serve`) it uses HTTP. Every call is typed by `Calls` in ./types.
import { httpTransport, takeToken } from './http';
import { tauriTransport } from './tauri';
import type { Calls, Op, Transport } from './types';

export type * from './types';
export * from './generated';

const inTauri = typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;

// Taken at once, so the token leaves the address bar before anything else reads it.
let transport: Transport | null = inTauri ? tauriTransport : typeof location === 'undefined' ? null : httpTransport(takeToken());

function current(): Transport {
  transport ??= inTauri ? tauriTransport : httpTransport(takeToken());
  return transport;
}

/** Replaces the transport (tests). */
export function useTransport(t: Transport): void {
  transport = t;
}

/** Calls one operation of the Rust API. Errors are thrown as `ApiError` ({code, message}). */
export function call<O extends Op>(
  op: O,
  ...args: Calls[O][0] extends undefined ? [] : [Calls[O][0]]
): Promise<Calls[O][1]> {
  return current().call(op, args[0]) as Promise<Calls[O][1]>;
}

/** Calls `handler` with every app event (sync, reminders) until the returned function is called. */
export function onEvent(handler: (e: import('./types').AppEvent) => void): () => void {
  return current().listen(handler);
}

/** Whether the app runs in the desktop/mobile shell (as opposed to a browser tab). */
export const isApp = inTauri;
