import type { ApiError, AppEvent, Transport } from './types';

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
    listen(handler) {
      return listenHttp(`${base}/events`, token, handler, fetcher);
    },
  };
}

/** Reads the server's event stream (`text/event-stream`, one JSON per `data:` line); it
 *  reconnects after a pause when the stream ends, until stopped. */
export function listenHttp(
  url: string,
  token: string,
  handler: (e: AppEvent) => void,
  fetcher: typeof fetch = fetch,
): () => void {
  const stop = new AbortController();
  (async () => {
    while (!stop.signal.aborted) {
      try {
        const res = await fetcher(url, { headers: { authorization: `Bearer ${token}` }, signal: stop.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const chunk = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = chunk.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
            if (data) {
              try {
                handler(JSON.parse(data) as AppEvent);
              } catch {
                /* a line that is not JSON: skip it */
              }
            }
          }
        }
      } catch {
        /* the server went away or refused: try again shortly */
      }
      if (!stop.signal.aborted) await new Promise((r) => setTimeout(r, 3000));
    }
  })();
  return () => stop.abort();
}
