import type { TipLevels } from './calibration.js';

/**
 * The landed-tip distribution as a quantile function through the published percentiles,
 * interpolated linearly in log-tip between knots: q = 0 at the minimum tip, the five
 * published levels, and q = 1 one p95→p99 step above p99. Using the published points
 * directly, rather than a fitted curve, keeps every reported percentile equal to its source.
 */
export function tipQuantile(levels: TipLevels, minTip: number, q: number): number {
  const floor = Math.max(1, minTip);
  const knots: readonly [number, number][] = [
    [0, Math.min(floor, levels.p25)],
    [0.25, levels.p25],
    [0.5, levels.p50],
    [0.75, levels.p75],
    [0.95, levels.p95],
    [0.99, levels.p99],
    [1, (levels.p99 * levels.p99) / levels.p95],
  ];
  const x = Math.min(1, Math.max(0, q));
  for (let i = 1; i < knots.length; i++) {
    const [q1, t1] = knots[i] as [number, number];
    if (x > q1) continue;
    const [q0, t0] = knots[i - 1] as [number, number];
    const w = (x - q0) / (q1 - q0);
    return Math.exp(Math.log(t0) + w * (Math.log(t1) - Math.log(t0)));
  }
  return (knots[knots.length - 1] as [number, number])[1];
}

/** Levels scaled by a factor (congestion moves the whole curve). */
export function scaleLevels(levels: TipLevels, factor: number): TipLevels {
  return {
    p25: levels.p25 * factor,
    p50: levels.p50 * factor,
    p75: levels.p75 * factor,
    p95: levels.p95 * factor,
    p99: levels.p99 * factor,
  };
}
