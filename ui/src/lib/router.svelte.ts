// A small hash router: the address is `#/people/ID?tab=notes`. Hash routes need no server
// support, so the same build works in the Tauri window and from `rapport serve`.

export interface Route {
  /** The path's segments: `#/people/123` → ['people', '123']. */
  parts: string[];
  query: URLSearchParams;
}

export function parse(hash: string): Route {
  // Only `#/…` is a route; `#token=…` (from `rapport serve`) is not.
  const raw = hash.startsWith('#/') ? hash.slice(1) : '';
  const [path, search = ''] = raw.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

export const route: Route = $state(parse(typeof location === 'undefined' ? '' : location.hash));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    const next = parse(location.hash);
    route.parts = next.parts;
    route.query = next.query;
    window.scrollTo(0, 0);
  });
}

/** Goes to a path such as `/people/123`. */
export function go(path: string): void {
  location.hash = path;
}

/** A link target for a path (for `href`). */
export function href(path: string): string {
  return `#${path}`;
}
