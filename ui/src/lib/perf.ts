// Marks the moment the first screen shows real data, once per page load, so the UI's
// "first screen with data" budget can be measured from outside (ui/tests/bench/ui.mjs reads it
// with performance.getEntriesByName).
let marked = false;

export function markFirstData(): void {
  if (marked || typeof performance === 'undefined') return;
  marked = true;
  performance.mark('rapport:first-data');
}
