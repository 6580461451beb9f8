import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium } from '../testing/browser.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { freePort } from '../testing/servers.js';
import { until } from '../testing/until.js';

/**
 * The README's guided tour, step by step, in Chromium against `landfall up` on the embedded
 * defaults with its default warm start: one screenshot per step under test-artifacts/tour/
 * (ignored by git). Each step checks what the README says the user sees.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'tour');

let up: LandfallProcess;
let browser: Browser;
let page: Page;
let link: string;

/** Polls a page condition every 250 ms (a failed read counts as not yet); fails naming `what`. */
const eventually = (check: () => Promise<boolean>, what: string, timeoutMs = 90_000) =>
  until(() => check().catch(() => false), what, timeoutMs, 250);

const text = async (testId: string) =>
  ((await page.getByTestId(testId).first().textContent({ timeout: 5_000 })) ?? '').trim();

const shot = (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

beforeAll(async () => {
  buildDashboard();
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  // Step 1 of the tour: `landfall up`, as the README runs it (the guard off, as it says why).
  up = new LandfallProcess(
    ['up'],
    {
      LANDFALL_HOME: join(mkdtempSync(join(tmpdir(), 'lf-tour-')), 'home'),
      LANDFALL_API__PORT: String(port),
      LANDFALL_GUARD__ENABLED: 'false',
      LANDFALL_LOG__LEVEL: 'warn',
    },
    ROOT,
  );
  await eventually(
    async () => up.stdout.includes('stop with Ctrl-C') || up.child.exitCode !== null,
    'landfall up to print its banner',
    240_000,
  );
  writeFileSync(join(SHOTS, '01-up.txt'), up.stdout);
  link = /dashboard (http:\/\/\S+#token=\S+)/.exec(up.stdout)?.[1] ?? '';
  expect(link, up.stdout).not.toBe('');
  expect(up.stdout).toMatch(/warm start 60 simulated minutes \(ending now\)/);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await up?.kill('SIGTERM');
}, 120_000);

describe('the README tour', () => {
  it('2. the dashboard link signs in by itself and opens on an hour of history', async () => {
    await page.goto(link);
    await eventually(async () => (await text('stream-status')) === 'live', 'the stream');
    expect(page.url()).not.toContain('token=');
    expect(await page.getByTestId('signin').count()).toBe(0);
    // Ten-second points of the warm hour for both agents: hundreds, before any live point.
    await eventually(
      async () => Number(/^(\d+) stored points/.exec(await text('history-status'))?.[1]) >= 600,
      'the stored hour',
    );
    // The PnL chart's legend shows each agent's latest value, not uPlot's `--`.
    await eventually(async () => {
      const legend = await text('chart-pnl');
      return legend.includes('arb-paper-1') && !legend.includes('--');
    }, 'legend values');
    await shot('02-dashboard-history.png');
  }, 180_000);

  it('3. the market panel shows the simulated market and what the agents take', async () => {
    await eventually(async () => Number(await text('market-events')) > 0, 'events/s');
    expect(Number(await text('market-seen'))).toBeGreaterThan(0);
    expect(Number(await text('market-taken'))).toBeGreaterThan(0);
    expect(await text('market-rivals')).toMatch(/^\d+ %$/);
    expect(await text('market-regime')).not.toBe('–');
    // Tip arms in words.
    const arms = await text('chart-arms-arb-paper-1');
    expect(arms).toMatch(/tip [\d.]+ % of profit|fee [\d.]+× the p95 priority fee/);
    await page.getByTestId('market').screenshot({ path: join(SHOTS, '03-market.png') });
  }, 120_000);

  it('4. a backtest on two seeds draws the policies cumulative profit and their table', async () => {
    await page.getByTestId('backtest-seeds').fill('1-2');
    await page.getByTestId('backtest-minutes').fill('5');
    await page.getByTestId('backtest-run').click();
    await eventually(
      async () => (await text('backtest-status')).includes('done in'),
      'the backtest',
      180_000,
    );
    expect(await page.getByTestId('backtest-row-oracle').count()).toBe(1);
    expect(await page.getByTestId('backtest-row-landfall').count()).toBe(1);
    expect(await page.getByTestId('backtest-chart').locator('canvas').count()).toBe(1);
    await page.getByTestId('backtest').screenshot({ path: join(SHOTS, '04-backtest.png') });
  }, 240_000);

  it('5–6. training on the stored hour publishes a model that goes live in the agent', async () => {
    await page.getByTestId('control-module').selectOption('arb');
    await page.getByTestId('btn-train').click();
    const result = await eventually(
      async () => /job (\S+) queued/.test(await text('control-result')),
      'the training job',
    ).then(() => text('control-result'));
    const jobId = /job (\S+) queued/.exec(result)?.[1] ?? '';
    await eventually(
      async () => (await text(`job-state-${jobId}`)) === 'succeeded',
      'the job to succeed',
      240_000,
    );
    await shot('05-trained.png');
    // Hex only: the text runs on into the next element's words without a space.
    const version = /→ model ([0-9a-f]+)/.exec(await text(`job-${jobId}`))?.[1] ?? '';
    expect(version).not.toBe('');
    // The first model has no live one to beat: it is promoted, and the registry makes it live.
    await eventually(
      async () =>
        (await page.getByTestId(`job-decision-${jobId}`).getAttribute('data-decision')) ===
        'promoted',
      'the promotion decision',
    );
    await eventually(
      async () =>
        (await page.getByTestId(`model-arb-${version}`).getAttribute('data-state')) === 'live',
      'the models panel to show it live',
    );
    await shot('06-model-live.png');
    // The agent shows the model that served its latest decision: the next arb opportunity's.
    await eventually(
      async () => (await text('agent-model-arb-paper-1')) === version,
      'the arb agent to score with the new model',
      240_000,
    );
  }, 600_000);

  it('7. the kill switch stops the arb agent, and 8. resume lets it trade again', async () => {
    await page.getByTestId('control-module').selectOption('arb');
    await page.getByTestId('control-reason').fill('tour: kill drill');
    await page.getByTestId('btn-kill').click();
    await eventually(
      async () => (await text('state-arb-paper-1')) === 'killed',
      'the arb agent to report killed',
    );
    await eventually(
      async () => (await text('events')).includes('kill applied by arb-paper-1'),
      'the kill acknowledgement',
    );
    await shot('07-killed.png');
    await page.getByTestId('btn-resume').click();
    await eventually(
      async () => (await text('state-arb-paper-1')) === 'running',
      'the arb agent to run again',
    );
    await shot('08-resumed.png');
  }, 180_000);
});
