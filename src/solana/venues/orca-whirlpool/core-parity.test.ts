import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Draw } from '../../../bench/suites/amm-v4-parity-cases.js';
import {
  compareWhirlpoolCase,
  emptyCounts,
  loadWhirlpoolCore,
  whirlpoolCoreParity,
} from '../../../bench/suites/whirlpool-parity.js';
import { randomWhirlpoolCase } from '../../../bench/suites/whirlpool-parity-cases.js';

/** fast-check's generator as a Draw: every case the cases module draws, shrinkable. */
const fcDraw = (g: fc.GeneratorValue): Draw => ({
  int: (n) => g(fc.nat, { max: n - 1 }),
  below: (bits) => (bits === 0 ? 0n : g(fc.bigInt, { min: 0n, max: (1n << BigInt(bits)) - 1n })),
});

describe("Orca Whirlpool quote vs @orca-so/whirlpools-core's swapQuoteByInputToken", () => {
  it('agrees on 10 000 random pools and swaps: amount in, amount out, fee, and refusals', async () => {
    const core = await loadWhirlpoolCore();
    const counts = emptyCounts();
    const refusals: Record<string, number> = {};
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const c = randomWhirlpoolCase(fcDraw(g));
        expect(compareWhirlpoolCase(core, c, counts, refusals)).toBeNull();
      }),
      { numRuns: 10_000 },
    );
    console.log(JSON.stringify({ ...counts, refusals }));
    // The cases must exercise what the issue names, not only pass.
    expect(counts.quoted).toBeGreaterThan(4_000);
    expect(counts.crossedTicks).toBeGreaterThan(500);
    expect(counts.multiArray).toBeGreaterThan(200);
    expect(counts.adaptive).toBeGreaterThan(1_000);
    expect(counts.refusalsCompared).toBeGreaterThan(500);
    expect(Math.min(counts.feeRateZero, counts.feeRateMax)).toBeGreaterThan(100);
    expect(counts.protocolFeeMax).toBeGreaterThan(500);
  }, 300_000);

  it('the seeded bench run agrees too', async () => {
    const r = await whirlpoolCoreParity(2_000, 7);
    expect(r.firstMismatch).toBeNull();
    expect(r.mismatches).toBe(0);
  }, 120_000);
});
