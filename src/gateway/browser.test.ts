import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../auth/mint.js';
import { NatsBus } from '../bus/nats.js';
import { TypedBus } from '../bus/typed.js';
import { validateConfig } from '../config/load.js';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema, SloStateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { buildDashboard, launchChromium } from '../testing/browser.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { freePort, NatsServer } from '../testing/servers.js';
import { until } from '../testing/until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const SECRET = 'browser-test-secret-0123456789abcdef0123456789';

let nats: NatsServer;
let up: LandfallProcess;
let browser: Browser;
let base: string;
let adminToken: string;
const auth = validateConfig({ auth: { hmacSecret: SECRET } }).auth;

/** Polls a page condition every 200 ms (a failed read counts as not yet); fails naming `what`. */
const eventually = (check: () => Promise<boolean>, what: string, timeoutMs = 60_000) =>
  until(() => check().catch(() => false), what, timeoutMs, 200);

const text = async (page: Page, testId: string) =>
  ((await page.getByTestId(testId).textContent({ timeout: 5_000 })) ?? '').trim();

async function signIn(token: string, viaFragment: boolean): Promise<Page> {
  const page = await (
    await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  ).newPage();
  await page.goto(viaFragment ? `${base}/#token=${token}` : `${base}/`);
  if (!viaFragment) {
    await page.getByTestId('token-input').fill(token);
    await page.getByTestId('signin-button').click();
  }
  // Paper mode: the link's fragment signs in by itself, and the page wipes it from the address bar.
  expect(page.url()).not.toContain('token=');
  await eventually(
    async () => (await text(page, 'stream-status')) === 'live',
    'the stream to go live',
  );
  return page;
}

beforeAll(async () => {
  buildDashboard();
  mkdirSync(SHOTS, { recursive: true });
  nats = await NatsServer.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  up = new LandfallProcess(
    ['up'],
    {
      LANDFALL_HOME: join(mkdtempSync(join(tmpdir(), 'lf-browser-')), 'home'),
      LANDFALL_API__PORT: String(port),
      LANDFALL_JWT_SECRET: SECRET,
      LANDFALL_BUS__KIND: 'nats',
      LANDFALL_BUS__NATS__SERVERS: JSON.stringify([nats.url]),
      // Four simulated seconds per wall second, so opportunities and submissions come quickly.
      LANDFALL_SIM__SPEED: '4',
      // The test injects the SLO verdict itself; the guard's own verdicts are tested in src/guard.
      LANDFALL_GUARD__ENABLED: 'false',
      // The warm start and the history it leaves are the tour's (src/system/tour.test.ts).
      LANDFALL_UP__WARM_START_MINUTES: '0',
      LANDFALL_LOG__LEVEL: 'warn',
    },
    ROOT,
  );
  await eventually(
    async () => up.stdout.includes('stop with Ctrl-C'),
    'landfall up to start',
    120_000,
  );
  adminToken = /token {2}admin[^:]*: (\S+)/.exec(up.stdout)?.[1] ?? '';
  expect(adminToken).not.toBe('');
  browser = await launchChromium([
    '--disable-quic',
    '--disable-component-update',
    '--disable-sync',
  ]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await up?.kill('SIGTERM');
  await nats?.dispose();
}, 120_000);

describe('dashboard in Chromium against landfall up', () => {
  it('a viewer signs in, sees live values change, and gets no controls', async () => {
    const viewer = await mintToken(auth, { role: 'viewer', subject: 'vic', ttlSeconds: 600 });
    const page = await signIn(viewer, false);
    await eventually(
      async () => (await page.getByTestId('agent-arb-paper-1').count()) === 1,
      'the arb agent row',
    );
    // Frames first: any render that changes the agent's row after this changes the count too.
    const frames = await text(page, 'whoami');
    const first = await text(page, 'updated-arb-paper-1');
    await eventually(
      async () => (await text(page, 'updated-arb-paper-1')) !== first,
      'the arb agent metrics to change',
    );
    expect(await text(page, 'whoami')).not.toBe(frames);
    expect(await page.getByTestId('chart-pnl').count()).toBe(1);
    expect(await text(page, 'whoami')).toContain('vic · viewer');
    expect(await page.getByTestId('controls').count()).toBe(0);
    expect(await page.getByTestId('btn-kill').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'viewer.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('an admin kill reaches the agent and stops its submissions', async () => {
    const page = await signIn(adminToken, true);
    expect(await page.getByTestId('controls').count()).toBe(1);
    await eventually(
      async () => Number(await text(page, 'submissions-arb-paper-1')) > 0,
      'the arb agent to submit something first',
      120_000,
    );
    await page.getByTestId('control-module').selectOption('arb');
    await page.getByTestId('control-reason').fill('browser test: kill drill');
    await page.getByTestId('btn-kill').click();
    await eventually(
      async () => (await text(page, 'control-result')).includes('published'),
      'the kill to be published',
    );
    await eventually(
      async () => (await text(page, 'state-arb-paper-1')) === 'killed',
      'the arb agent to report killed',
    );
    await eventually(
      async () => (await text(page, 'events')).includes('kill applied by arb-paper-1'),
      'the kill acknowledgement',
    );
    // Submissions stand still over the next metrics updates, while the agent keeps reporting.
    const frozen = await text(page, 'submissions-arb-paper-1');
    for (let i = 0; i < 3; i++) {
      const seen = await text(page, 'updated-arb-paper-1');
      await eventually(
        async () => (await text(page, 'updated-arb-paper-1')) !== seen,
        'a later update',
      );
      expect(await text(page, 'submissions-arb-paper-1')).toBe(frozen);
      expect(await text(page, 'state-arb-paper-1')).toBe('killed');
    }
    const status = (await (
      await fetch(`${base}/api/status`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { agents: Array<{ agentId: string; state: string }> };
    expect(status.agents.find((a) => a.agentId === 'arb-paper-1')?.state).toBe('killed');
    await page.screenshot({ path: join(SHOTS, 'admin-killed.png'), fullPage: true });
    await page.context().close();
  }, 240_000);

  it('an SLO violation on the bus turns the page red and disables risky controls', async () => {
    const page = await signIn(adminToken, true);
    expect(await page.getByTestId('dashboard').getAttribute('data-slo')).toBe('ok');
    expect(await page.getByTestId('btn-throttle').isEnabled()).toBe(true);
    expect(await page.getByTestId('btn-train').isEnabled()).toBe(true);
    // What the guard publishes on a violation, sent on the same NATS server landfall up uses.
    const bus = new TypedBus(await NatsBus.connect({ servers: [nats.url] }));
    try {
      const now = BigInt(Date.now());
      await bus.publish(
        'slo-proto',
        create(SloStateSchema, {
          module: Module.MEV,
          violated: true,
          reason: 'landed 12% < 70% over 30 s (injected)',
          lastAction: ControlAction.THROTTLE,
          lastActionTsMs: now,
          burnRateFast: 2.9,
          burnRateSlow: 2.9,
          tsMs: now,
        }),
      );
      await bus.publish(
        'metrics-proto',
        create(MetricsUpdateSchema, {
          agentId: 'guard-mev',
          module: Module.MEV,
          tsMs: now,
          sloViolation: true,
          sloReason: 'landed 12% < 70% over 30 s (injected)',
          state: 'throttled',
        }),
      );
    } finally {
      await bus.bus.close();
    }
    await eventually(
      async () => (await page.getByTestId('dashboard').getAttribute('data-slo')) === 'red',
      'the page to turn red',
    );
    // Evaluated in the page (strings: this file is type-checked without the DOM library).
    expect(await page.evaluate("document.body.classList.contains('slo-red')")).toBe(true);
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(58, 13, 18)');
    expect(await text(page, 'slo-banner')).toContain('landed 12% < 70%');
    expect(await text(page, 'slo-mev')).toContain('VIOLATED');
    expect(await page.getByTestId('btn-throttle').isDisabled()).toBe(true);
    expect(await page.getByTestId('btn-train').isDisabled()).toBe(true);
    expect(await page.getByTestId('btn-kill').isEnabled()).toBe(true);
    expect(await page.getByTestId('btn-resume').isEnabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'slo-red.png'), fullPage: true });
    await page.context().close();
  }, 180_000);
});
