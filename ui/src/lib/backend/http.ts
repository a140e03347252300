import type { ApiError, Backend, Kind, ListResponse, SearchHit } from './types';

/** Calls `rapport serve` over HTTP; the per-launch token comes from the page's URL. */
export function httpBackend(base = '/api', token = new URLSearchParams(location.search).get('token') ?? ''): Backend {
  async function get<T>(path: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) {
      const err = (await res.json().catch(() => ({ code: 'internal', message: res.statusText }))) as ApiError;
      throw err;
    }
    return (await res.json()) as T;
  }
  return {
    list: (kind: Kind, limit = 50) => get<ListResponse>(`/records?kind=${kind}&limit=${limit}`),
    search: async (query: string, limit = 20) =>
      (await get<{ hits: SearchHit[] }>(`/search?query=${encodeURIComponent(query)}&limit=${limit}`)).hits,
  };
}
