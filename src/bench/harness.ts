import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One measured figure. Suites report medians and p99s, never a single best run. */
export interface BenchRow {
  name: string;
  metric: string;
  value: number;
  unit: string;
}

export interface BenchResult {
  suite: string;
  rows: BenchRow[];
}

export interface BenchContext {
  /** Reports progress of a long suite: done of total steps. */
  progress(done: number, total: number): void;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export function writeResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.suite}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function formatTable(result: BenchResult): string {
  const header = ['name', 'metric', 'value', 'unit'];
  const body = result.rows.map((r) => [r.name, r.metric, formatValue(r.value), r.unit]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`suite ${result.suite}`, line(header), rule, ...body.map(line)].join('\n');
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(4);
}
