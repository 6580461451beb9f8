import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishModels } from '../src/api/testing.js';
import { mintToken } from '../src/auth/mint.js';
import { validateConfig } from '../src/config/load.js';
import { activate, liveVersion } from '../src/model/registry.js';
import { buildDashboard, launchChromium } from '../src/testing/browser.js';
import { LandfallProcess } from '../src/testing/landfall-process.js';
import { freePort } from '../src/testing/servers.js';
import { until } from '../src/testing/until.js';

/**
 * The dashboard's models panel in Chromium against `landfall up`: a live model and a candidate
 * the promotion rule kept back, each with its state; an admin promotes the candidate from the
 * page (the API audits it) and the registry's live link follows; a viewer gets no buttons.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SECRET = 'models-panel-secret-0123456789abcdef0123456789';
const auth = validateConfig({ auth: { hmacSecret: SECRET } }).auth;

let up: LandfallProcess;
let browser: Browser;
let base: string;
let home: string;
let versions: string[];

beforeAll(async () => {
  buildDashboard();
  home = mkdtempSync(join(tmpdir(), 'lf-models-panel-'));
  // Two arb versions: the first live, the second a candidate.
  versions = await publishModels(join(home, 'models'), 'arb', 2);
  activate(join(home, 'models'), 'arb', versions[0] as string);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  up = new LandfallProcess(
    ['up'],
    {
      LANDFALL_HOME: home,
      LANDFALL_API__PORT: String(port),
      LANDFALL_JWT_SECRET: SECRET,
      LANDFALL_GUARD__ENABLED: 'false',
      // The panel needs no history: skip the warm start.
      LANDFALL_UP__WARM_START_MINUTES: '0',
      LANDFALL_LOG__LEVEL: 'warn',
    },
    ROOT,
  );
  await until(() => up.stdout.includes('stop with Ctrl-C'), 'landfall up to start', 120_000, 200);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await up?.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
}, 120_000);

async function open(role: 'admin' | 'viewer') {
  const token = await mintToken(auth, { role, subject: `${role}-ada`, ttlSeconds: 600 });
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('signin-button').click();
  return page;
}

describe('models panel', () => {
  it('shows live and candidate; a viewer has no buttons; an admin promotes the candidate', async () => {
    const [live, candidate] = versions as [string, string];
    const viewer = await open('viewer');
    const row = (p: typeof viewer, v: string) => p.getByTestId(`model-arb-${v}`);
    await row(viewer, candidate).waitFor({ timeout: 30_000 });
    expect(await row(viewer, live).getAttribute('data-state')).toBe('live');
    expect(await row(viewer, candidate).getAttribute('data-state')).toBe('candidate');
    expect(await row(viewer, candidate).getByRole('button').count()).toBe(0);

    const admin = await open('admin');
    await row(admin, candidate).getByRole('button', { name: 'promote' }).click({ timeout: 30_000 });
    await until(
      () => liveVersion(join(home, 'models'), 'arb') === candidate,
      'the promotion',
      30_000,
    );
    await until(
      async () => (await row(admin, candidate).getAttribute('data-state')) === 'live',
      'the panel to show the candidate live',
      30_000,
      200,
    );
    expect(await row(admin, live).getAttribute('data-state')).toBe('retired');
    expect(await row(admin, live).getByRole('button', { name: 'roll back to' }).count()).toBe(1);
  });
});
