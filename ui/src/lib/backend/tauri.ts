import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppEvent, Transport } from './types';

/** Calls the Tauri shell's one command, `call`, which hands `{op, args}` to the Rust API;
 *  events arrive as the window event `rapport://event`. */
export const tauriTransport: Transport = {
  call: (op, args) => invoke('call', { call: args === undefined ? { op } : { op, args } }),
  listen(handler) {
    const unlisten = listen<AppEvent>('rapport://event', (e) => handler(e.payload));
    return () => void unlisten.then((stop) => stop());
  },
};
