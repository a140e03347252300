// Two devices pair from the app's Devices screen and sync in the background: two `rapport serve`
// processes on fresh vaults, syncing over iroh on 127.0.0.1 only, each driven in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots } from './serve.mjs';

test('a laptop and a phone pair with a code and a new person reaches the other', { timeout: 180_000 }, async () => {
  const laptop = await startServer(0, { sync: true });
  const phone = await startServer(0, { sync: true });
  const browser = await launch();
  try {
    const clipboard = ['clipboard-read', 'clipboard-write'];
    const a = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true, permissions: clipboard });
    const b = await browser.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true, permissions: clipboard });
    for (const p of [a, b]) p.setDefaultTimeout(30_000);
    await a.goto(laptop.url);
    await b.goto(phone.url);
    await a.evaluate(() => (location.hash = '#/devices'));
    await b.evaluate(() => (location.hash = '#/devices'));

    await a.getByRole('button', { name: 'Show a pairing code' }).click();
    const ticket = await a.locator('textarea.ticket[readonly]').inputValue();
    assert.match(ticket, /^RAPPORT-PAIR:/);
    await a.getByRole('img', { name: 'Pairing code' }).waitFor();
    await a.screenshot({ path: join(shots, 'pairing-code.png') });
    assert.deepEqual(await axe(a), [], 'the pairing screen is accessible');

    // What is not a code is refused with what to do; the code itself, pasted, joins.
    await b.evaluate(() => navigator.clipboard.writeText('hello'));
    await b.getByRole('button', { name: 'Paste and join' }).click();
    await b.getByText(/The clipboard holds no pairing code/).waitFor();
    await b.evaluate((t) => navigator.clipboard.writeText(t), ticket);
    await b.getByRole('button', { name: 'Paste and join' }).click();
    await b.getByText(/Paired with/).first().waitFor();
    await a.getByText(/Paired with/).first().waitFor();
    await b.screenshot({ path: join(shots, 'pairing-joined-phone.png') });

    // A person added on the laptop shows up in the phone's list without a reload.
    // The phone shows its people list while the laptop adds someone.
    await b.evaluate(() => (location.hash = '#/people'));
    await b.getByText('Nobody here yet').waitFor();
    await a.evaluate(() => (location.hash = '#/people/new'));
    await a.getByLabel('Name', { exact: true }).fill('Grace Hopper');
    await a.getByRole('button', { name: 'Add person' }).click();
    await a.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    await b.getByText('Grace Hopper').first().waitFor();
    await b.screenshot({ path: join(shots, 'pairing-synced-phone.png') });

    // The Devices screen says how the last sync reached the laptop (directly, on one machine)
    // and how long it took.
    await b.evaluate(() => (location.hash = '#/devices'));
    await b.getByText(/Last synced[\s\S]* in \d+(\.\d)? (ms|s|min),\s+directly\./).first().waitFor();
    // "Sync now" reports each device's session: what moved, the route and the time.
    await b.getByRole('button', { name: 'Sync now' }).click();
    await b.getByRole('status').filter({ hasText: /Done/ }).getByText(/received, \d+ sent, directly in \d+ ms/).waitFor();
    await b.screenshot({ path: join(shots, 'pairing-sync-now-phone.png') });
    await b.screenshot({ path: join(shots, 'pairing-devices-phone.png') });
  } finally {
    await browser.close();
    await laptop.stop();
    await phone.stop();
  }
});
