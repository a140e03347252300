import { describe, expect, it } from 'vitest';
import { httpTransport } from '../backend/http';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit }[] = []): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, statusText: 'X' });
  }) as unknown as typeof fetch;
}

describe('the HTTP backend', () => {
  it('posts {op, args} with the token and returns the answer', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const t = httpTransport('abc', '/api', fakeFetch(200, { total: 3 }, seen));
    await expect(t.call('list', { kind: 'person' })).resolves.toEqual({ total: 3 });
    expect(seen[0].url).toBe('/api/call');
    expect(seen[0].init?.method).toBe('POST');
    expect((seen[0].init?.headers as Record<string, string>).authorization).toBe('Bearer abc');
    expect(JSON.parse(String(seen[0].init?.body))).toEqual({ op: 'list', args: { kind: 'person' } });
  });

  it('leaves args out for calls that take none', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    await httpTransport('t', '/api', fakeFetch(200, null, seen)).call('profile', undefined);
    expect(JSON.parse(String(seen[0].init?.body))).toEqual({ op: 'profile' });
  });

  it('throws the API error as sent', async () => {
    const t = httpTransport('t', '/api', fakeFetch(400, { code: 'validation', message: 'name: say who it is' }));
    await expect(t.call('create', {})).rejects.toEqual({ code: 'validation', message: 'name: say who it is' });
  });

  it('turns a non-JSON failure into an internal error with the status', async () => {
    const t = httpTransport('t', '/api', fakeFetch(502, 'bad gateway'));
    await expect(t.call('list', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('502') });
  });

  it('reports a server that is gone as a network error that says what to check', async () => {
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(httpTransport('t', '/api', failing).call('list', {})).rejects.toMatchObject({ code: 'network' });
  });
});
