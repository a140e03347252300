// The whole story in a real Chromium against `rapport serve`, at a phone's size and a desktop's:
// a goal, an organization, a person, an outreach draft with an etiquette warning, a meeting, the
// prep brief, meeting mode with a referral, the thank-you due and marked sent. Every screen
// passes axe-core with no serious or critical violation; screenshots go to ui/test-results/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots } from './serve.mjs';

const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

async function check(page, size, step) {
  await page.screenshot({ path: join(shots, `${size.name}-${step}.png`), fullPage: false });
  const violations = await axe(page);
  assert.deepEqual(violations, [], `${size.name} ${step}: accessibility violations`);
}

for (const size of sizes) {
  test(`the informational-interview story at ${size.width}×${size.height}`, { timeout: 180_000 }, async () => {
    const server = await startServer();
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height }, bypassCSP: true });
      page.setDefaultTimeout(15_000);
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(server.url);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
      // An empty vault opens on the first run; this story takes the long way round instead.
      await page.getByRole('heading', { name: 'Welcome to Rapport' }).waitFor();
      await check(page, size, '01-today-empty');

      // 1. A goal.
      await page.goto(server.url.split('#')[0] + '#/goals');
      await page.getByLabel('Name').fill('Grid planning roles');
      await page.getByRole('button', { name: 'Add goal' }).click();
      await page.getByText('Grid planning roles').first().waitFor();
      await check(page, size, '02-goals');

      // 2. An organization.
      await page.goto(server.url.split('#')[0] + '#/organizations');
      await page.getByLabel('Name', { exact: true }).fill('Green Harbor');
      await page.getByRole('button', { name: 'Add organization' }).click();
      await page.getByText('Green Harbor').first().waitFor();
      await check(page, size, '03-organizations');

      // 3. A person, at that organization, for that goal.
      await page.goto(server.url.split('#')[0] + '#/people');
      await page.getByRole('link', { name: /add your first person/i }).click();
      await page.getByLabel('Name', { exact: true }).fill('Zoë Okonkwo');
      await page.getByLabel('Role', { exact: true }).fill('Energy modeller');
      await page.getByLabel(/^Organization/).fill('Green Harbor');
      await page.getByLabel(/^Email/).fill('zoe@example.org');
      await page.getByLabel('Grid planning roles').check();
      await check(page, size, '04-person-form');
      await page.getByRole('button', { name: 'Add person' }).click();
      await page.getByRole('heading', { name: 'Zoë Okonkwo' }).waitFor();
      await page.getByText('Energy modeller at Green Harbor').waitFor();
      await check(page, size, '05-person');

      // 4. Outreach: the draft, an etiquette warning as we type, then sent.
      await page.getByRole('link', { name: 'Draft outreach' }).click();
      const body = page.getByLabel('Message');
      await body.waitFor();
      await body.fill('Hi Zoë, I attached my resume. Do you have a job for me?');
      await page.locator('.finding', { hasText: /résumé|resume|attach/i }).first().waitFor();
      await page.locator('.finding', { hasText: /job/i }).first().waitFor();
      await check(page, size, '06-outreach-warning');
      await body.fill(
        'Hi Zoë, I read your piece on heat pumps in Green Harbor’s newsletter. I am a data analyst moving into energy planning. ' +
          'Would you have 20 minutes for a call next week, perhaps Tuesday at 10:00 or Thursday at 16:00? I would love to hear how you got into grid modelling.',
      );
      await page.getByRole('button', { name: 'Mark as sent' }).click();
      await page.getByRole('heading', { name: 'Zoë Okonkwo' }).waitFor();

      // 5. Schedule the meeting (in an hour), which opens the prep brief.
      await page.getByRole('link', { name: 'Schedule a meeting' }).click();
      await page.getByRole('heading', { name: 'Schedule a conversation' }).waitFor();
      await page.getByText(/chosen/).waitFor();
      await check(page, size, '07-schedule');
      await page.getByRole('button', { name: 'Schedule' }).click();
      await page.getByText('Prep brief', { exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Questions', exact: true }).waitFor();
      await check(page, size, '08-brief');
      assert.ok((await page.locator('ol.questions li').count()) >= 3, 'the brief lists the chosen questions');

      // 6. Meeting mode: start, answer, capture a referral, end.
      await page.getByRole('link', { name: 'Start meeting mode' }).click();
      await page.getByRole('button', { name: 'Start' }).click();
      await page.getByRole('button', { name: 'End meeting' }).waitFor();
      const firstAnswer = page.getByPlaceholder('Their answer, in a line').first();
      await firstAnswer.fill('Started in utilities, moved to modelling after a masters.');
      await firstAnswer.blur();
      await page.getByText('Answer saved').waitFor();
      await page.getByRole('button', { name: '+ Referral' }).click();
      await page.getByLabel('Name').fill('Omar Haddad');
      await check(page, size, '09-meeting-mode');
      await page.getByRole('button', { name: 'Add referral' }).click();
      await page.getByText(/Referrals captured: Omar Haddad/).waitFor();
      await page.getByRole('button', { name: 'End meeting' }).click();
      await page.getByText('Meeting held').waitFor();

      // 7. Today shows the thank-you due; mark it sent.
      await page.goto(server.url.split('#')[0] + '#/');
      const thanks = page.getByRole('button', { name: 'Mark the thank-you to Zoë Okonkwo sent' });
      await thanks.waitFor();
      await page.getByText('Thank Zoë Okonkwo').first().waitFor();
      await check(page, size, '10-today-thank-you');
      await thanks.click();
      await thanks.waitFor({ state: 'detached' });

      // 8. The referral is a person, referred by Zoë, with a task to write to them.
      await page.goto(server.url.split('#')[0] + '#/people');
      await page.getByRole('link', { name: /Omar Haddad/ }).click();
      await page.getByRole('link', { name: 'Zoë Okonkwo', exact: true }).waitFor();

      // 8b. Their own relay, set once in Settings: a wrong address is refused with the field
      // named, a right one is kept (and reaches every device with the profile).
      await page.goto(server.url.split('#')[0] + '#/settings');
      const relay = page.getByLabel('Your own relay (optional)');
      await relay.fill('ftp://relay.example.org');
      await page.getByRole('button', { name: 'Save my story' }).click();
      await page.getByRole('alert').filter({ hasText: /relays\[0\]/ }).waitFor();
      // A vault's first save needs a name (it signs every draft): the form says so.
      await relay.fill('https://relay.example.org');
      await page.getByRole('button', { name: 'Save my story' }).click();
      await page.getByRole('alert').filter({ hasText: /name/ }).waitFor();
      await page.getByLabel('Your name').fill('Sam Rivera');
      await page.getByRole('button', { name: 'Save my story' }).click();
      await page.getByText('Saved.').waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      await page.waitForFunction(
        () => document.querySelector('input[placeholder="https://relay.example.org"]')?.value === 'https://relay.example.org',
      );

      // 9. The other screens, for their looks and their accessibility.
      for (const [path, step, heading] of [
        ['#/people', '11-people', 'People'],
        ['#/progress', '12-progress', 'Progress'],
        ['#/questions', '13-questions', 'Questions'],
        ['#/devices', '14-devices', null],
        ['#/settings', '15-settings', 'Settings'],
        ['#/transfer', '15b-transfer', 'Import & export'],
        ['#/more', '16-more', null],
      ]) {
        await page.goto(server.url.split('#')[0] + path);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.waitForTimeout(200);
        await check(page, size, step);
      }
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(server.url.split('#')[0] + '#/');
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await check(page, size, '17-today-dark');
      assert.deepEqual(errors, [], 'no script errors');
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}
