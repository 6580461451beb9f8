import type { Command } from 'commander';
import { DEFAULT_RESULTS_DIR, runBench } from '../../bench/run.js';
import { suites } from '../../bench/suites/index.js';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      `run benchmark suites (${suites.map((s) => s.name).join(', ')}); all when none named`,
    )
    .argument('[suites...]', 'suite names')
    .option('--out <dir>', 'where to write <suite>.json', DEFAULT_RESULTS_DIR)
    .action(async (names: string[], opts: { out: string }) => {
      await runBench({ names, outDir: opts.out });
    });
}
