import { invoke } from '@tauri-apps/api/core';
import type { Backend, ListResponse, SearchHit, Kind } from './types';

/** Calls the commands of src-tauri over IPC. */
export const tauriBackend: Backend = {
  list: (kind: Kind, limit = 50) => invoke<ListResponse>('list_records', { kind, limit }),
  search: async (query: string, limit = 20) =>
    (await invoke<{ hits: SearchHit[] }>('search', { query, limit })).hits,
};
