// The smaller screens people use every day, on a 1,000-person vault in a real Chromium: an
// organization's page, search results told apart, the keep-in-touch cadence, a person's local
// time, the import preview naming who, and meeting mode once the meeting is over. Screenshots
// of each at both sizes go to ui/test-results/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, launch, axe, shots } from './serve.mjs';

const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

/** Calls the API as the page does, with the tab's token. */
function api(page, op, args) {
  return page.evaluate(
    async ([op, args]) => {
      const token = sessionStorage.getItem('rapport.token');
      const res = await fetch('/api/call', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(args === undefined ? { op } : { op, args }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(JSON.stringify(body));
      return body;
    },
    [op, args],
  );
}

for (const size of sizes) {
  test(`everyday screens on a 1,000-person vault at ${size.width}×${size.height}`, { timeout: 300_000 }, async () => {
    const server = await startServer(1000);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: size, bypassCSP: true });
      page.setDefaultTimeout(15_000);
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(server.url);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      const go = async (path) => {
        await page.evaluate((p) => (location.hash = p), path);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
      };
      const shot = async (step) => {
        await page.screenshot({ path: join(shots, `${size.name}-1k-${step}.png`) });
        assert.deepEqual(await axe(page), [], `${size.name} ${step}: accessibility`);
      };

      // Search: people with the same name are told apart by role and organization, and each
      // result opens its own person.
      const people = await api(page, 'list_all', { kind: 'person' });
      const byName = new Map();
      for (const p of people) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
      const [twinName, twins] = [...byName.entries()].find(([, list]) => list.length >= 2);
      await go('/people');
      await page.getByPlaceholder(/Search names/).fill(twinName);
      const hits = page.locator('a.person', { hasText: twinName });
      await page.waitForFunction((n) => document.querySelectorAll('a.person').length >= n, twins.length);
      const details = await hits.evaluateAll((as) => as.map((a) => a.textContent.trim()));
      assert.ok(details.length >= twins.length, `${details.length} hits for ${twinName}`);
      assert.equal(new Set(details).size, details.length, `each ${twinName} reads differently: ${JSON.stringify(details)}`);
      await shot('search-twins');
      const second = hits.nth(1);
      const secondId = (await second.getAttribute('href')).split('/').pop();
      await second.click();
      await page.waitForFunction((id) => location.hash.endsWith(id), secondId);
      await page.getByRole('heading', { level: 1, name: twinName }).waitFor();

      // A person: their local time, and how often to keep in touch.
      const person = twins[1];
      await api(page, 'update', { id: person.id, patch: { time_zone: 'Asia/Tokyo' } });
      await go(`/people/${person.id}`);
      await page.getByText(/Their time:/).waitFor();
      await page.getByLabel('How often to check in').selectOption('30');
      await page.waitForTimeout(300);
      const after = await api(page, 'get', { id: person.id });
      assert.equal(after.cadence_days, 30, 'the cadence is saved');
      await shot('person');

      // An organization's page: the people there, where each stands, the LAMP ratings.
      const org = (await api(page, 'organizations_by_lamp')).find((o) => people.filter((p) => p.organization_id === o.id).length >= 2);
      const there = people.filter((p) => p.organization_id === org.id);
      await go('/organizations');
      await page.getByLabel('Filter organizations').fill(org.name);
      await page.getByRole('link', { name: org.name, exact: true }).first().click();
      await page.getByRole('heading', { level: 1, name: org.name }).waitFor();
      await page.getByRole('heading', { name: new RegExp(`People you know there · ${there.length}`) }).waitFor();
      for (const p of there.slice(0, 5)) await page.getByRole('link', { name: new RegExp(p.name) }).first().waitFor();
      await page.getByLabel('How much you want to work there').selectOption('5');
      await page.getByText('Saved').waitFor();
      assert.equal((await api(page, 'get', { id: org.id })).motivation, 5);
      await shot('organization');

      // The import preview names who it would bring in.
      const dir = mkdtempSync(join(tmpdir(), 'rapport-import-'));
      const csv = join(dir, 'Connections.csv');
      writeFileSync(csv, 'First Name,Last Name,URL,Email Address,Company,Position,Connected On\n' +
        'Ada,Lovelace,https://www.linkedin.com/in/ada-l,,Analytical Engines,Mathematician,05 Mar 2024\n' +
        'Grace,Hopper,https://www.linkedin.com/in/grace-h,,Navy,Rear Admiral,06 Mar 2024\n');
      await go('/transfer');
      await page.locator('input[type=file]').first().setInputFiles(csv);
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByText(/Who: Ada Lovelace, Grace Hopper/).waitFor();
      await page.getByText('Analytical Engines').first().waitFor();
      await shot('import-preview');

      // Meeting mode after the meeting: no countdown frozen at its last second.
      const meeting = await api(page, 'create', { kind: 'meeting', fields: { title: 'Coffee with Ada', person_id: person.id, start: new Date(Date.now() - 30 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), planned_minutes: 20 } });
      await api(page, 'start_meeting', { id: meeting.id });
      await api(page, 'stop_meeting', { id: meeting.id });
      await go(`/meetings/${meeting.id}/live`);
      await page.getByText('Meeting held').first().waitFor();
      await page.getByText(/It lasted 1 min of the 20 planned/).waitFor();
      assert.equal(await page.locator('.clock').count(), 0, 'no countdown after the meeting');
      await shot('meeting-held');

      // The etiquette findings on a draft fit the screen (their link once widened a phone's).
      await go(`/people/${person.id}/outreach`);
      await page.getByLabel('Message').fill('Hi, I attached my resume. Do you have any job openings on your team? https://example.org/a-very-long-link-to-my-portfolio-that-goes-on-and-on-and-on');
      await page.locator('.finding').first().waitFor();
      const findingsWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(findingsWidth <= size.width, `the outreach findings are ${findingsWidth} px wide at ${size.width}`);
      await shot('outreach-findings');

      // No page is wider than the screen.
      for (const path of ['/', '/people', `/people/${person.id}`, `/people/${person.id}/outreach`, '/organizations', `/organizations/${org.id}`, '/progress', '/devices', '/transfer']) {
        await go(path);
        await page.waitForTimeout(700);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= size.width, `${path} is ${wide} px wide at ${size.width}`);
      }
      assert.deepEqual(errors, [], 'no script errors');
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}
