// The UI's size budget (issue 5): all JavaScript and CSS of the built UI, gzipped, ≤ 150 KB.
// Run after `npm run build`; prints the figure and fails over the budget.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET = 150 * 1024;
const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'assets');
let total = 0;
for (const name of readdirSync(assets).filter((n) => /\.(js|css)$/.test(n))) {
  const size = gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
  total += size;
  console.log(`${name}: ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`JS+CSS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error('over the budget: look for a large dependency in the bundle');
  process.exit(1);
}
