import { describe, expect, it } from 'vitest';
import { parse } from '../router.svelte';

describe('the router', () => {
  it('reads the path and query of a hash route', () => {
    const r = parse('#/people/0193/edit?tab=notes');
    expect(r.parts).toEqual(['people', '0193', 'edit']);
    expect(r.query.get('tab')).toBe('notes');
  });

  it('decodes segments', () => {
    expect(parse('#/search/Zo%C3%AB').parts).toEqual(['search', 'Zoë']);
  });

  it('takes an empty hash, or the token fragment of `rapport serve`, as the start page', () => {
    expect(parse('').parts).toEqual([]);
    expect(parse('#/').parts).toEqual([]);
    expect(parse('#token=abcdef').parts).toEqual([]);
  });
});
