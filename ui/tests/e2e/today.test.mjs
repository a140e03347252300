// Today and the first run as people live them, in a real Chromium against `rapport serve`:
// a first run on an empty vault reaches a first outreach draft within a bound on interactions;
// on a 1,000-person vault Today stays a short plan (who to contact next on the first phone
// screen), long lists take bulk actions, reminders stay out of meeting mode and forms, and no
// screen's layout shifts as it loads (cumulative layout shift ≤ 0.1 at both sizes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots } from './serve.mjs';

const phone = { name: 'phone', width: 390, height: 844 };
const desktop = { name: 'desktop', width: 1280, height: 800 };
/** The phone's tab bar, over the bottom of the screen. */
const TABS = 56;

/** Sums every layout shift not caused by input since the page loaded. */
function watchLayoutShift(page) {
  return page.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** Loads `path` afresh (a new document, so its layout shift is its own). */
async function open(page, server, path) {
  await page.goto('about:blank');
  await page.goto(server.url.split('#')[0] + '#' + path);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

test('a first run on an empty vault reaches a first outreach draft in at most 15 interactions', { timeout: 120_000 }, async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: phone, bypassCSP: true });
    page.setDefaultTimeout(15_000);
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Welcome to Rapport' }).waitFor();
    await page.screenshot({ path: join(shots, 'phone-first-run-1.png') });
    assert.deepEqual(await axe(page), []);
    const started = Date.now();
    // Every click and every field filled counts as one interaction (typing a field is one).
    let interactions = 0;
    const fill = async (label, text) => {
      interactions += 1;
      await page.getByLabel(label).fill(text);
    };
    const click = async (name) => {
      interactions += 1;
      await page.getByRole('button', { name }).click();
    };
    await fill(/Your name/, 'Sam Rivera');
    await fill(/One line about you/, 'a data analyst moving into energy planning');
    await click('Continue');
    await fill(/What are you exploring/, 'Grid planning roles');
    await click('Continue');
    await page.getByRole('link', { name: /Import LinkedIn connections or contacts/ }).waitFor();
    await page.screenshot({ path: join(shots, 'phone-first-run-3.png') });
    await fill(/Their name/, 'Zoë Okonkwo');
    await fill(/^Role/, 'Energy modeller');
    await fill(/^Organization/, 'Green Harbor');
    interactions += 1;
    await page.getByLabel('How you came across them').selectOption('event');
    await fill(/^Who or where/, 'the Energy Transition Meetup');
    await click('Add and write to them');
    // The draft, written from what was just entered.
    const message = page.getByLabel('Message');
    await message.waitFor();
    await page.waitForFunction(() => (document.querySelector('textarea')?.value ?? '').includes('Sam'));
    const text = await message.inputValue();
    assert.match(text, /Zoë/, 'the draft greets them');
    assert.match(text, /data analyst moving into energy planning/, 'the draft says who you are');
    assert.match(text, /We met at the Energy Transition Meetup/, 'the draft opens with how you met');
    assert.doesNotMatch(text, /\{connection\}/, 'nothing left to fill in');
    const seconds = (Date.now() - started) / 1000;
    await page.screenshot({ path: join(shots, 'phone-first-run-draft.png') });
    assert.ok(interactions <= 15, `${interactions} interactions`);
    assert.ok(seconds <= 180, `${seconds} s`);
    console.log(`first run: ${interactions} interactions, ${seconds.toFixed(1)} s to the first draft`);

    // The vault is no longer empty: Today is the plan, the person is next to contact.
    await open(page, server, '/');
    await page.getByRole('heading', { name: 'Who to contact next' }).waitFor();
    await page.getByRole('heading', { name: 'Welcome to Rapport' }).waitFor({ state: 'detached' });
  } finally {
    await browser.close();
    await server.stop();
  }
});

for (const size of [phone, desktop]) {
  test(`Today on a 1,000-person vault at ${size.width}×${size.height}: a short plan, reminders that respect the moment, nothing shifts`, { timeout: 300_000 }, async () => {
    // A vault per size: what one size's run marks done is not there for the other.
    const server = await startServer(1000);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: size, bypassCSP: true });
      page.setDefaultTimeout(15_000);
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await watchLayoutShift(page);
      // The first visit hands the page its token; later loads of this tab reuse it.
      await page.goto(server.url);
      await open(page, server, '/');
      const next = page.getByRole('heading', { name: 'Who to contact next' });
      await next.waitFor();
      await page.locator('a[aria-label^="Write to "]').first().waitFor();
      // The notice comes after the screen and floats: give it time to arrive.
      const notice = page.getByRole('complementary', { name: 'Reminders' });
      await notice.waitFor();
      await page.screenshot({ path: join(shots, `${size.name}-1k-today.png`) });
      assert.deepEqual(await axe(page), [], `${size.name}: Today's accessibility`);
      const heightCap = size.height - (size === phone ? TABS : 0);
      const box = await next.boundingBox();
      assert.ok(box && box.y + box.height <= heightCap, `who to contact next is on the first screen: ${JSON.stringify(box)}`);
      const first = await page.locator('a[aria-label^="Write to "]').first().boundingBox();
      assert.ok(first && first.y + first.height <= heightCap, `the first suggestion is on the first screen: ${JSON.stringify(first)}`);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      assert.ok(height < 3 * size.height, `Today is short: ${height} px`);
      assert.ok((await page.locator('ol.items > li').count()) <= 5, 'the plan lists a few things');

      // Reminders: one notice; not over meeting mode, not over a form being typed in.
      const meeting = await page.locator('a[aria-label^="Prep brief for"]').first().getAttribute('href');
      await open(page, server, meeting.slice(1) + '/live');
      await page.waitForTimeout(1500);
      assert.equal(await notice.count(), 0, 'no reminder over meeting mode');
      await open(page, server, '/organizations');
      await notice.waitFor();
      await page.getByLabel('Filter organizations').focus();
      await notice.waitFor({ state: 'detached' });
      await page.getByLabel('Filter organizations').blur();
      await notice.waitFor();
      // Dismiss all: gone, and still gone after a reload.
      const dismiss = page.getByRole('button', { name: /^Dismiss( all)?$/ });
      await dismiss.click();
      await notice.waitFor({ state: 'detached' });
      await open(page, server, '/');
      await page.waitForTimeout(1500);
      assert.equal(await notice.count(), 0, 'dismissed reminders stay dismissed');

      await open(page, server, '/');
      await page.getByRole('heading', { name: 'Who to contact next' }).waitFor();

      // Everything due, a section at a time, with bulk actions.
      const tasksButton = page.getByRole('button', { name: /^\d+ tasks$/ });
      const before = Number((await tasksButton.textContent()).match(/\d+/)[0]);
      await tasksButton.click();
      await page.getByRole('heading', { name: /Tasks due/ }).waitFor();
      const picks = page.locator('input.pick');
      await picks.first().waitFor();
      assert.equal(await picks.count(), 20, 'a page of 20');
      await picks.nth(0).check();
      await picks.nth(1).check();
      await page.getByRole('button', { name: 'Tomorrow' }).click();
      await page.getByRole('button', { name: `${before - 2} tasks` }).waitFor();
      await page.getByRole('button', { name: /Show 20 more/ }).click();
      await page.waitForFunction(() => document.querySelectorAll('input.pick').length === 40);
      await page.screenshot({ path: join(shots, `${size.name}-1k-today-tasks.png`) });

      const thanksButton = page.getByRole('button', { name: /^\d+ thank-yous$/ });
      const thanks = Number((await thanksButton.textContent()).match(/\d+/)[0]);
      await thanksButton.click();
      await page.getByRole('heading', { name: /Thank-yous due/ }).waitFor();
      await page.locator('input.pick').first().waitFor();
      await page.getByLabel('Select all shown').check();
      await page.getByRole('button', { name: 'Mark 20 sent' }).click();
      await page.getByRole('button', { name: `${thanks - 20} thank-yous` }).waitFor({ timeout: 60_000 });

      // No screen shifts as it loads.
      const shifts = {};
      for (const path of ['/', '/people', '/organizations', '/progress', '/goals', '/questions', '/templates', '/devices', '/transfer', '/settings']) {
        await open(page, server, path);
        await page.waitForTimeout(2000);
        shifts[path] = await page.evaluate(() => window.__cls);
      }
      console.log(`${size.name} layout shift by screen: ${JSON.stringify(shifts)}`);
      for (const [path, cls] of Object.entries(shifts)) assert.ok(cls <= 0.1, `${size.name} ${path}: layout shift ${cls}`);
      assert.deepEqual(errors, [], 'no script errors');
      await page.close();
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}
