import type { PoolSnapshot } from '../../../market/types.js';
import { type Bin, BinPool } from '../bin-pool.js';
import { ConstantProductPool } from '../constant-product.js';
import type { QuotedPool } from '../types.js';

/**
 * Pools of every curve kind the cycle search must handle, built from plain numbers so tests
 * (through fast-check) and benches (through a seeded generator) share one construction.
 * - `cp`: constant product.
 * - `bins`: a book whose rates fall bin by bin (concave, like DLMM bins or CLMM ticks).
 * - `rising`: a book whose rates go up and down, reporting its breakpoints.
 * - `silent`: the same, reporting none (only the certificate protects its sizing).
 */
export type CurveKind = 'cp' | 'bins' | 'rising' | 'silent';
export const CURVE_KINDS: readonly CurveKind[] = ['cp', 'bins', 'rising', 'silent'];

export interface PoolSpec {
  readonly kind: CurveKind;
  /** Depth of the A side, atomic units of A. */
  readonly depth: number;
  /** Mispricing against the mints' values, per mille (−100 → 10 % cheap B). */
  readonly noise: number;
  readonly feeBps: number;
  /** Per bin: how much worse (or, for rising books, different) its rate is, per mille. */
  readonly steps: readonly number[];
}

/**
 * A pool of `spec.kind` between A and B whose aToB rate is valueA / valueB (value: base units
 * per atomic unit of the mint) skewed by `noise`, with the B side sized to match the A depth.
 */
export function buildPool(
  id: string,
  mintA: string,
  mintB: string,
  valueA: number,
  valueB: number,
  spec: PoolSpec,
): QuotedPool {
  const rate = (valueA / valueB) * (1 + spec.noise / 1000);
  const reserveA = BigInt(Math.max(1, Math.round(spec.depth)));
  const reserveB = BigInt(Math.max(1, Math.round(spec.depth * rate)));
  if (spec.kind === 'cp') {
    const snapshot: PoolSnapshot = {
      id,
      venue: 'test-cp',
      mintA,
      mintB,
      reserveA,
      reserveB,
      feeBps: spec.feeBps,
    };
    return new ConstantProductPool(snapshot);
  }
  const books = {
    aToB: book(rate, reserveB, spec),
    bToA: book(1 / rate, reserveA, spec),
  };
  return new BinPool(id, mintA, mintB, spec.feeBps, books, spec.kind === 'rising');
}

const SCALE = 1e9;

/** Bins holding `depth` output in all, rates from `rate` moved by the spec's steps. */
function book(rate: number, depth: bigint, spec: PoolSpec): Bin[] {
  const steps = spec.steps.length === 0 ? [0] : spec.steps;
  const capacity = depth / BigInt(steps.length) + 1n;
  let level = rate;
  return steps.map((step) => {
    // Falling books compound their steps; the others wander around the mid rate.
    level = spec.kind === 'bins' ? level * (1 - Math.abs(step) / 1000) : rate * (1 + step / 1000);
    return { num: BigInt(Math.max(1, Math.round(level * SCALE))), den: BigInt(SCALE), capacity };
  });
}
