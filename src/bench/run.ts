import cliProgress from 'cli-progress';
import { LandfallError } from '../errors.js';
import { type BenchResult, formatTable, writeResult } from './harness.js';
import { suites } from './suites/index.js';

export const DEFAULT_RESULTS_DIR = 'bench/results';

export interface RunBenchOptions {
  names: string[];
  outDir?: string;
  /** Where tables go; progress bars go to stderr when it is a terminal. */
  write?: (text: string) => void;
}

export async function runBench(options: RunBenchOptions): Promise<BenchResult[]> {
  const write = options.write ?? ((t: string) => process.stdout.write(`${t}\n`));
  const outDir = options.outDir ?? DEFAULT_RESULTS_DIR;
  const unknown = options.names.filter((n) => !suites.some((s) => s.name === n));
  if (unknown.length > 0) {
    const known = suites.map((s) => s.name).join(', ');
    throw new LandfallError(
      'LF_BENCH_UNKNOWN_SUITE',
      `unknown benchmark suite ${unknown.join(', ')}; known suites: ${known}`,
    );
  }
  const selected =
    options.names.length === 0 ? suites : suites.filter((s) => options.names.includes(s.name));
  const results: BenchResult[] = [];
  for (const suite of selected) {
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: `${suite.name} [{bar}] {value}/{total}`, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    let started = false;
    const rows = await suite.run({
      progress(done, total) {
        if (!bar) return;
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    bar?.stop();
    const result: BenchResult = { suite: suite.name, rows };
    const file = writeResult(outDir, result);
    write(`${formatTable(result)}\nwrote ${file}\n`);
    results.push(result);
  }
  return results;
}
