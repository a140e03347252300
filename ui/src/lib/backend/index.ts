// The only module that talks to Rust. Inside the Tauri window it uses IPC; in a browser (served
// by `rapport serve`) it uses HTTP.
import { httpBackend } from './http';
import { tauriBackend } from './tauri';
import type { Backend } from './types';

export type * from './types';

const inTauri = typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;

export const backend: Backend = inTauri ? tauriBackend : httpBackend();
