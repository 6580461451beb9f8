import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { isLandfallError } from '../errors.js';
import { TIP_FLOOR_SAMPLES } from './calibration.js';
import { parseSimConfig, tipLevelsOf } from './config.js';
import { CURVE_KINDS, simulatable } from './curve-kinds.js';
import { tipQuantile } from './tip-curve.js';
import { withVenuePreset } from './venue-presets.js';

function rejection(raw: unknown): string {
  try {
    parseSimConfig(raw);
  } catch (err) {
    expect(isLandfallError(err, 'LF_SIM_CONFIG')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('simulator config', () => {
  it('defaults to the published Solana and Jito figures', () => {
    const c = parseSimConfig();
    expect(c.chain.slotMs).toBe(400);
    expect(c.chain.slotsPerLeader).toBe(4);
    expect(c.chain.baseFeeLamports).toBe(5_000);
    expect(c.chain.jitoShare).toBe(0.95);
    expect(c.jito.minTipLamports).toBe(1_000);
    expect(c.jito.maxBundleTransactions).toBe(5);
    expect(c.jito.auctionTickMs).toBe(200);
    expect(tipLevelsOf(c)).toEqual(TIP_FLOOR_SAMPLES['2025-05']);
    expect(c.pace).toBe('virtual');
  });

  it('is the sim section of the application config, settable from the environment', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-sim-config-'));
    const { config } = loadConfig({ env: { LANDFALL_SIM__SEED: '42' }, cwd });
    expect(config.sim.seed).toBe(42);
    expect(config.sim.rivals.population).toBe(12);
  });

  it('names the field at fault', () => {
    expect(rejection({ rivals: { population: 2 } })).toMatch(
      /sim\.rivals\.regimes\.competitive\.activeRivals: exceeds rivals\.population \(2\)/,
    );
    expect(
      rejection({
        rivals: { switching: { mode: 'schedule', schedule: [{ regime: 'panic', minutes: 5 }] } },
      }),
    ).toMatch(/sim\.rivals\.switching\.schedule\.0\.regime: unknown regime "panic"/);
    expect(
      rejection({ market: { venues: [{ name: 'solo', feeBps: 25, depthShare: 1 }] } }),
    ).toMatch(/sim\.market\.venues/);
    expect(rejection({ jito: { tipFloor: { p25: 5, p50: 4, p75: 6, p95: 7, p99: 8 } } })).toMatch(
      /sim\.jito\.tipFloor.*must not decrease/,
    );
    expect(rejection({ chain: { slotMs: -1 } })).toMatch(/sim\.chain\.slotMs/);
    // A bundle without a tip is malformed, so the smallest tip a bundle may carry is 1.
    expect(rejection({ jito: { minTipLamports: 0 } })).toMatch(/sim\.jito\.minTipLamports/);
  });
});

describe('landed-tip curve', () => {
  const levels = TIP_FLOOR_SAMPLES['2024-04'];

  it('passes through every published percentile and rises in between', () => {
    expect(tipQuantile(levels, 1_000, 0.25)).toBeCloseTo(levels.p25, 6);
    expect(tipQuantile(levels, 1_000, 0.5)).toBeCloseTo(levels.p50, 6);
    expect(tipQuantile(levels, 1_000, 0.75)).toBeCloseTo(levels.p75, 6);
    expect(tipQuantile(levels, 1_000, 0.95)).toBeCloseTo(levels.p95, 6);
    expect(tipQuantile(levels, 1_000, 0.99)).toBeCloseTo(levels.p99, 6);
    expect(tipQuantile(levels, 1_000, 0)).toBeCloseTo(1_000, 6);
    let previous = 0;
    for (let q = 0; q <= 1; q += 0.01) {
      const t = tipQuantile(levels, 1_000, q);
      expect(t).toBeGreaterThanOrEqual(previous);
      previous = t;
    }
  });

  it('builds venues of every curve kind it has a simulated pool for, and names the rest', () => {
    const venue = { name: 'xx', feeBps: 25, depthShare: 1 };
    for (const curve of CURVE_KINDS) {
      const raw = {
        market: {
          venues: [
            { ...venue, curve },
            { ...venue, name: 'yy' },
          ],
        },
      };
      if (simulatable(curve)) expect(parseSimConfig(raw).market.venues[0]?.curve).toBe(curve);
      else
        expect(rejection(raw)).toMatch(
          `sim.market.venues.0.curve: ${curve} pools cannot be simulated yet`,
        );
    }
    // The default market names no curve: its pools are the simulator's own constant product.
    expect(parseSimConfig().market.venues.every((v) => v.curve === undefined)).toBe(true);
    expect(parseSimConfig(withVenuePreset({}, 'mixed')).market.venues.map((v) => v.curve)).toEqual([
      'raydium_amm_v4',
      'orca_whirlpool',
      'meteora_dlmm',
    ]);
    expect(() => withVenuePreset({}, 'curvy')).toThrow(/unknown venue preset "curvy"/);
  });
});
