// The real desktop window (Tauri + WebKitGTK) under Xvfb, driven over WebDriver through
// tauri-driver: it opens on an empty vault, a person is added, and search finds them.
// Run by scripts/test as `xvfb-run -a node --test tests/window/` with RAPPORT_APP set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const app = process.env.RAPPORT_APP;
const port = 4444;
const base = `http://127.0.0.1:${port}`;

async function wd(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy (bounded). */
async function until(what, fn, limitMs = 20_000) {
  const end = Date.now() + limitMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}: ${last}`);
}

test('the desktop window: add a person, find them by search', { timeout: 120_000, skip: !app && 'RAPPORT_APP is not set' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-window-'));
  const driver = spawn('tauri-driver', ['--port', String(port)], {
    env: { ...process.env, RAPPORT_DATA_DIR: join(dir, 'vault'), RAPPORT_SYNC: 'off' },
    stdio: 'inherit',
  });
  let session;
  try {
    await until('tauri-driver', async () => (await fetch(`${base}/status`)).ok);
    const created = await wd('POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: app } } },
    });
    session = created.sessionId;
    const s = `/session/${session}`;
    const find = async (css) => Object.values(await wd('POST', `${s}/element`, { using: 'css selector', value: css }))[0];
    const findAll = async (css) =>
      (await wd('POST', `${s}/elements`, { using: 'css selector', value: css })).map((e) => Object.values(e)[0]);
    const text = async (el) => wd('GET', `${s}/element/${el}/text`);
    const headings = async () => Promise.all((await findAll('h1')).map(text));
    const go = (hash) => wd('POST', `${s}/execute/sync`, { script: `location.hash = ${JSON.stringify(hash)}`, args: [] });

    const h1 = await until('the first screen', async () => text(await find('h1')));
    assert.match(h1, /Good (morning|afternoon|evening)/);

    await go('#/people/new');
    const name = await until('the person form', () => find('input[name=name]'));
    await wd('POST', `${s}/element/${name}/value`, { text: 'Ada Lovelace' });
    await wd('POST', `${s}/element/${await find('input[name=role]')}/value`, { text: 'Analyst' });
    await wd('POST', `${s}/element/${await find('button[type=submit]')}/click`, {});
    await until('the new person', async () => (await headings()).includes('Ada Lovelace'));

    await go('#/people');
    const search = await until('the search box', () => find('input[type=search]'));
    await wd('POST', `${s}/element/${search}/value`, { text: 'lovel' });
    const hit = await until('a search hit', async () => {
      // innerText is the rendered text; WebKit's WebDriver text call drops the ellipsised
      // (overflow: hidden) name and role although the window shows them.
      const t = await wd('POST', `${s}/execute/sync`, {
        script: `return document.querySelector('ul[aria-label="Search results"]')?.innerText ?? ''`,
        args: [],
      });
      return t.includes('Ada Lovelace') ? t : null;
    });
    assert.match(hit, /Ada Lovelace/);
    // What the window shows, kept with the other test artifacts.
    const shots = join(import.meta.dirname, '..', '..', 'test-results');
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, 'window-search.png'), Buffer.from(await wd('GET', `${s}/screenshot`), 'base64'));
  } finally {
    if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
    driver.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
