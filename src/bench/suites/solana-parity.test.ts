import { describe, expect, it } from 'vitest';
import { cpSwapSdkParity } from './solana-parity.js';

describe("CP-Swap maths against Raydium's TypeScript SDK (raydium-sdk-v2)", () => {
  it('prices 12 000 random pools, creator fee either side and Token-2022 fees, to the same amounts', () => {
    const report = cpSwapSdkParity(12_000);
    expect(report.firstMismatch).toBeNull();
    expect(report.mismatches).toBe(0);
    // Most cases are priced, not refused alike (small inputs and 100 % transfer fees refuse).
    expect(report.quoted).toBeGreaterThan(report.cases * 0.7);
    // The known SDK rounding gap is exercised, not avoided; most cases compare every fee.
    expect(report.sdkFeeRounding).toBeGreaterThan(0);
    expect(report.sdkFeeRounding).toBeLessThan(report.cases / 2);
  });
});
