import { LandfallError } from '../errors.js';
import { DEFAULT_VENUES, MIXED_VENUES } from './calibration.js';
import type { SimConfigInput } from './config.js';

/**
 * Named sets of venues for `landfall backtest --venues`: `cp`, the default market (every venue
 * the simulator's constant product); `mixed`, the same venues each on a live program's maths
 * (calibration.ts, `MIXED_VENUES`). Same names, fees and depths: results differ by curve alone.
 */
export const VENUE_PRESETS = {
  cp: DEFAULT_VENUES,
  mixed: MIXED_VENUES,
} as const;

export type VenuePreset = keyof typeof VENUE_PRESETS;

/** `sim` with its venues replaced by the preset's; everything else as given. */
export function withVenuePreset(sim: SimConfigInput, preset: string): SimConfigInput {
  if (!(preset in VENUE_PRESETS))
    throw new LandfallError(
      'LF_SIM_CONFIG',
      `unknown venue preset "${preset}"; known: ${Object.keys(VENUE_PRESETS).join(', ')}`,
    );
  const venues = VENUE_PRESETS[preset as VenuePreset].map((v) => ({ ...v }));
  return { ...sim, market: { ...sim.market, venues } };
}
