import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc, bestThreshold, logLoss } from './evaluate.js';

describe('validation metrics', () => {
  it('computes AUC as the probability a positive outranks a negative', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5, 0.5], [0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(auc([0.2, 0.9], [0, 1])).toBe(1);
    expect(auc([0.2, 0.9], [1, 1])).toBeNaN();
  });

  it('agrees with counting pairs on random data (ties count half)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2 }),
        (rows) => {
          const scores = rows.map(([s]) => s / 5);
          const labels = rows.map(([, y]) => (y ? 1 : 0));
          let wins = 0;
          let pairs = 0;
          for (let i = 0; i < rows.length; i++)
            for (let j = 0; j < rows.length; j++)
              if (labels[i] === 1 && labels[j] === 0) {
                pairs++;
                const si = scores[i] ?? 0;
                const sj = scores[j] ?? 0;
                wins += si > sj ? 1 : si === sj ? 0.5 : 0;
              }
          const got = auc(scores, labels);
          if (pairs === 0) expect(got).toBeNaN();
          else expect(got).toBeCloseTo(wins / pairs, 9);
        },
      ),
    );
  });

  it('computes log-loss, clipping certain mistakes', () => {
    expect(logLoss([0.9, 0.1], [1, 0])).toBeCloseTo(-Math.log(0.9), 12);
    expect(Number.isFinite(logLoss([0], [1]))).toBe(true);
  });

  it('picks the threshold that maximises realised profit', () => {
    expect(bestThreshold([0.2, 0.9, 0.3, 0.8], [-500, 100, 80, -50])).toEqual({
      threshold: 0.3,
      profitLamports: 130,
      trades: 3,
    });
    // Tied scores go together: no cut lets the +10 through without the −20.
    expect(bestThreshold([0.5, 0.5], [10, -20])).toEqual({
      threshold: 1,
      profitLamports: 0,
      trades: 0,
    });
  });

  it('reports exactly the profit of the rows at or above its threshold, never below 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -1000, max: 1000 }))),
        (rows) => {
          const p = rows.map(([s]) => s / 20);
          const profit = rows.map(([, v]) => v);
          const best = bestThreshold(p, profit);
          const taken = rows.filter(([s]) => s / 20 >= best.threshold);
          expect(best.profitLamports).toBeGreaterThanOrEqual(0);
          if (best.trades > 0) {
            expect(taken).toHaveLength(best.trades);
            expect(taken.reduce((sum, [, v]) => sum + v, 0)).toBe(best.profitLamports);
          }
          // No other cut does better.
          for (const t of new Set(p)) {
            const alt = rows.filter(([s]) => s / 20 >= t).reduce((sum, [, v]) => sum + v, 0);
            expect(alt).toBeLessThanOrEqual(best.profitLamports);
          }
        },
      ),
    );
  });
});
