// The UI's speed budgets (issue 5), measured in Chromium against `rapport serve` on seeded vaults:
//   first screen with data: from navigation start to the first screen showing records
//     (the app marks `rapport:first-data`), p50/p95 over several page loads — budget ≤ 500 ms at 1k;
//   scrolling the 10k people list: Chromium's long tasks (> 50 ms) while scrolling to the end
//     of what is loaded and on — budget: none.
// Usage: node ui/tests/bench/ui.mjs [--people 1000,10000] [--runs 15]   (RAPPORT_BIN: a release build)
import { startServer, launch } from '../e2e/serve.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('people', '1000,10000').split(',').map(Number);
const runs = Number(arg('runs', '15'));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const browser = await launch();
for (const people of sizes) {
  const t0 = Date.now();
  const server = await startServer(people);
  const seedSecs = (Date.now() - t0) / 1000;
  const base = server.url.split('#')[0];
  const token = server.url.split('#token=')[1];
  const results = {};
  for (const [screen, hash] of [['today', '#/'], ['people', '#/people']]) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      // The token is kept by the tab; then a real navigation straight to the screen.
      await page.goto(`${base}#token=${token}`);
      await page.goto(`${base}?run=${i}${hash}`);
      await page.waitForFunction(() => performance.getEntriesByName('rapport:first-data').length > 0, null, { timeout: 30_000 });
      const ms = await page.evaluate(() => performance.getEntriesByName('rapport:first-data')[0].startTime);
      times.push(ms);
      await page.close();
    }
    results[screen] = { p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times) };
  }

  // Scrolling the people list, with Chromium's long-task observer on.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${base}#token=${token}`);
  await page.evaluate(() => (location.hash = '#/people'));
  await page.locator('.vlist li').first().waitFor({ timeout: 30_000 });
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
  });
  const scrollStart = Date.now();
  for (let i = 0; i < 150; i++) {
    await page.mouse.wheel(0, 1200);
    await page.waitForTimeout(16);
  }
  const scrolled = await page.evaluate(() => ({ y: window.scrollY, rows: document.querySelectorAll('.vlist li').length, long: window.__long }));
  const loaded = await page.evaluate(() => document.querySelector('.vlist')?.getBoundingClientRect().height ?? 0);
  await page.close();
  console.log(JSON.stringify({
    people,
    seed_s: seedSecs,
    first_data_ms: results,
    scroll: {
      seconds: (Date.now() - scrollStart) / 1000,
      scrolled_px: Math.round(scrolled.y),
      rows_in_dom: scrolled.rows,
      list_height_px: Math.round(loaded),
      long_tasks: scrolled.long.length,
      longest_task_ms: scrolled.long.length ? Math.max(...scrolled.long) : 0,
    },
  }));
  await server.stop();
}
await browser.close();
