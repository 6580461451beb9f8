/** Nearest-rank percentile of an unsorted sample; q in [0, 1]. */
export function percentile(sample: readonly number[], q: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Throughput {
  /** Median over batches of operations per second. */
  opsPerSecMedian: number;
  /** Per-operation time in ns: median and p99 over batches (each batch's mean). */
  nsPerOpP50: number;
  nsPerOpP99: number;
}

/**
 * Times `fn` in `batches` batches of `batchSize` calls after a warm-up, so a single GC pause
 * or scheduler hiccup moves the p99, not the median.
 */
export function measureThroughput(
  fn: (i: number) => void,
  options: { batches: number; batchSize: number; warmup?: number },
): Throughput {
  const warmup = options.warmup ?? options.batchSize;
  for (let i = 0; i < warmup; i++) fn(i);
  const nsPerOp: number[] = [];
  for (let b = 0; b < options.batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < options.batchSize; i++) fn(i);
    const elapsed = Number(process.hrtime.bigint() - start);
    nsPerOp.push(elapsed / options.batchSize);
  }
  const p50 = percentile(nsPerOp, 0.5);
  return { opsPerSecMedian: 1e9 / p50, nsPerOpP50: p50, nsPerOpP99: percentile(nsPerOp, 0.99) };
}
