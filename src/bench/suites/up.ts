import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LandfallError } from '../../errors.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { percentile } from '../stats.js';
import { spawnUp, stopUp, upBanner } from '../up-process.js';
import { upHotPathRow } from './up-hot-path.js';

/** One measurement of the suite: its rows. A new row is one more entry in `UP_ROWS`. */
export type UpRow = (ctx: BenchContext) => Promise<BenchRow[]>;

const RUNS = 3;
const WARM_MINUTES = 60;
/** Ten-second history points: the hour is there once its points span 59 minutes and more. */
const HISTORY_SPAN_S = 59 * 60;
const GIVE_UP_MS = 180_000;

/**
 * `up.warm_start`: wall seconds from spawning `landfall up` (embedded defaults, the default
 * 60-minute warm start) until its dashboard answers and GET /api/history holds ≥ 60 simulated
 * minutes of the agents' metrics; the median of RUNS fresh homes, and the slowest.
 */
export async function warmStartRow(ctx: BenchContext): Promise<BenchRow[]> {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    seconds.push(await timeToHistory());
    ctx.progress(i + 1, RUNS);
  }
  return [
    { name: 'up.warm_start', metric: 'seconds', value: percentile(seconds, 0.5), unit: 's' },
    { name: 'up.warm_start', metric: 'seconds_max', value: Math.max(...seconds), unit: 's' },
    { name: 'up.warm_start', metric: 'simulated_minutes', value: WARM_MINUTES, unit: 'min' },
  ];
}

/** The suite's rows, measured in this order. */
const UP_ROWS: readonly UpRow[] = [warmStartRow, upHotPathRow];

export const upSuite: BenchSuite = {
  name: 'up',
  description: `landfall up: time to a dashboard with ${WARM_MINUTES} simulated minutes of history (${RUNS} runs)`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const measure of UP_ROWS) rows.push(...(await measure(ctx)));
    return rows;
  },
};

async function timeToHistory(): Promise<number> {
  const cwd = mkdtempSync(join(tmpdir(), 'lf-bench-up-'));
  const began = performance.now();
  const child = spawnUp(cwd, ['--warm-minutes', String(WARM_MINUTES)]);
  try {
    const { base, token, stderr } = await upBanner(child, GIVE_UP_MS);
    // The API answers during the warm start too: poll it from the first moment it can.
    for (;;) {
      if (child.exitCode !== null)
        throw new LandfallError('LF_INTERNAL', `landfall up exited early: ${stderr().slice(-500)}`);
      if (performance.now() - began > GIVE_UP_MS)
        throw new LandfallError('LF_INTERNAL', `no hour of history after ${GIVE_UP_MS / 1000} s`);
      if (await hasHour(base, token)) return (performance.now() - began) / 1000;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await stopUp(child);
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The dashboard answers, and every agent's stored metrics span the hour. */
async function hasHour(base: string, token: string): Promise<boolean> {
  const page = await fetch(`${base}/`);
  if (page.status === 503)
    throw new LandfallError('LF_GATEWAY_NO_DASHBOARD', 'dashboard not built: npm run build:web');
  if (!page.ok) return false;
  const res = await fetch(`${base}/api/history?minutes=70&stepSeconds=10`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) return false;
  const { agents } = (await res.json()) as { agents: { t: number[] }[] };
  return (
    agents.length >= 2 && agents.every((a) => (a.t.at(-1) ?? 0) - (a.t[0] ?? 0) >= HISTORY_SPAN_S)
  );
}
