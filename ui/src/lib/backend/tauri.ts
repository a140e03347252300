import { invoke } from '@tauri-apps/api/core';
import type { Transport } from './types';

/** Calls the Tauri shell's one command, `call`, which hands `{op, args}` to the Rust API. */
export const tauriTransport: Transport = {
  call: (op, args) => invoke('call', { call: args === undefined ? { op } : { op, args } }),
};
