// Starts `rapport serve` on a fresh temporary vault and a browser for it. Shared by the
// end-to-end tests (node:test + playwright-core + Debian's Chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..');
export const bin = process.env.RAPPORT_BIN ?? join(root, 'target', 'debug', 'rapport');
export const shots = join(root, 'ui', 'test-results');
mkdirSync(shots, { recursive: true });

/** Runs `rapport serve` on a new vault; resolves with its URL and a stop function. */
export async function startServer(seedPeople = 0, { sync = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-e2e-'));
  // Sync stays off unless asked for; when on, only on 127.0.0.1 (no relays, no multicast).
  const net = sync
    ? { RAPPORT_SYNC: 'on', RAPPORT_RELAY: 'off', RAPPORT_MDNS: 'off', RAPPORT_BIND: '127.0.0.1:0' }
    : { RAPPORT_SYNC: 'off' };
  const env = { ...process.env, RAPPORT_DATA_DIR: join(dir, 'vault'), ...net };
  if (seedPeople > 0) {
    await new Promise((resolve, reject) => {
      const seed = spawn(bin, ['dev', 'seed', '--people', String(seedPeople)], { env, stdio: 'ignore' });
      seed.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited ${code}`))));
    });
  }
  const child = spawn(bin, ['serve', '--port', '0', '--json', '--ui', join(root, 'ui', 'dist')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('rapport serve did not start in 30 s')), 30_000);
    child.on('exit', (code) => reject(new Error(`rapport serve exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.url) {
          clearTimeout(timer);
          resolve(msg.url);
        }
      } catch {
        /* not a JSON line */
      }
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
}

const axeSource = readFileSync(join(root, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
