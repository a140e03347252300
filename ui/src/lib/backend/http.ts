import type { ApiError, Transport } from './types';

const TOKEN_KEY = 'rapport.token';

/**
 * The per-launch token `rapport serve` printed, from the address's fragment (`#token=…`, never
 * sent to a server). It is kept for the tab's life so reloads and in-app links keep working,
 * and removed from the address bar.
 */
export function takeToken(loc: Location = location, store: Storage = sessionStorage): string {
  const match = /(?:^#|&)token=([0-9a-f]+)/.exec(loc.hash);
  if (match) {
    store.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', loc.pathname + loc.search);
    return match[1];
  }
  return store.getItem(TOKEN_KEY) ?? '';
}

/** Calls `rapport serve`: every call is `POST /api/call` with `{op, args}`. */
export function httpTransport(token: string, base = '/api', fetcher: typeof fetch = fetch): Transport {
  return {
    async call(op, args) {
      let res: Response;
      try {
        res = await fetcher(`${base}/call`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(args === undefined ? { op } : { op, args }),
        });
      } catch {
        throw { code: 'network', message: 'Rapport is not answering: is `rapport serve` still running?' } satisfies ApiError;
      }
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        throw (body && typeof body.code === 'string'
          ? body
          : { code: 'internal', message: `${res.status} ${res.statusText}` }) as ApiError;
      }
      return body;
    },
  };
}
