import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Draw, randomAmmV4Case } from './amm-v4-parity-cases.js';
import { loadAmmV4Sdk } from './raydium-amm-v4-sdk.js';
import { ammV4SdkParity, compareAmmV4 } from './venue-parity.js';

/**
 * A case's draws from two fast-check arrays (cheaper than a generator call per draw, and still
 * shrinking toward zeros); a case that draws more than they hold wraps around.
 */
const draws = fc.tuple(
  fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
  fc.array(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), { minLength: 64, maxLength: 64 }),
);

function drawFrom([ints, bigs]: [number[], bigint[]]): Draw {
  let i = 0;
  let b = 0;
  return {
    int: (n) => (ints[i++ % ints.length] as number) % n,
    below: (bits) => (bigs[b++ % bigs.length] as bigint) & ((1n << BigInt(bits)) - 1n),
  };
}

describe("Raydium AMM v4 maths against Raydium's TypeScript SDK (raydium-sdk-v2)", () => {
  it('decodes 10 000 random pools field for field and prices their swaps to the same amount and fee', async () => {
    const sdk = loadAmmV4Sdk();
    const counts = { quoted: 0, refusalsCompared: 0, programOnlyRefusals: 0, subUnitFees: 0 };
    await fc.assert(
      fc.asyncProperty(draws, async (d) => {
        const why = await compareAmmV4(sdk, randomAmmV4Case(drawFrom(d)), counts);
        expect(why).toBeNull();
      }),
      { numRuns: 10_000, seed: 2525 },
    );
    // About a third execute (v2 swaps SwapOnly and open WaitingTrade pools only); the refusals
    // the SDK can be held to, and fees under one unit (where a half-up rule would differ), are
    // exercised too.
    expect(counts.quoted).toBeGreaterThan(3_000);
    expect(counts.subUnitFees).toBeGreaterThan(0);
    expect(counts.refusalsCompared).toBeGreaterThan(100);
    expect(counts.programOnlyRefusals).toBeGreaterThan(100);
  }, 120_000);

  it('reports no mismatch on the seeded cases the bench row prices', async () => {
    const report = await ammV4SdkParity(1_000);
    expect(report.firstMismatch).toBeNull();
    expect(report.mismatches).toBe(0);
    expect(report.quoted).toBeGreaterThan(300);
  }, 60_000);
});
