import { LandfallError } from '../../errors.js';
import { meteoraDlmm } from './meteora-dlmm/venue.js';
import { orcaWhirlpool } from './orca-whirlpool/venue.js';
import { raydiumAmmV4 } from './raydium-amm-v4/venue.js';
import { raydiumCp } from './raydium-cp/venue.js';
import type { LiveVenue } from './venue.js';

/**
 * The venues a live configuration may name (`live.pools[].venue`), by their stable name. Adding
 * one is its import and its entry in this list; everything live (watching, decoding, planning,
 * building the transaction, the lookup table) knows only the `LiveVenue` interface.
 */
const VENUES: readonly LiveVenue[] = [raydiumCp, raydiumAmmV4, meteoraDlmm, orcaWhirlpool];

const byName = new Map<string, LiveVenue>(VENUES.map((v) => [v.name, v]));

/** The default of a configured pool that names no venue: existing configs are CP-Swap pools. */
export const DEFAULT_LIVE_VENUE = raydiumCp.name;

export const LIVE_VENUE_NAMES: readonly string[] = VENUES.map((v) => v.name);

/** Every live venue's ExceededSlippage custom error code. */
export const SLIPPAGE_ERRORS: ReadonlySet<number> = new Set(
  VENUES.flatMap((v) => (v.exceededSlippageError === undefined ? [] : [v.exceededSlippageError])),
);

export function isLiveVenue(name: string): boolean {
  return byName.has(name);
}

/** The venue named `name`, or LF_SOLANA_CONFIG listing those that exist. */
export function liveVenue(name: string): LiveVenue {
  const venue = byName.get(name);
  if (venue === undefined) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `live venue ${JSON.stringify(name)} is not one Landfall trades live; use one of ${LIVE_VENUE_NAMES.join(', ')}`,
    );
  }
  return venue;
}

/**
 * The venue of each configured pool that is not CP-Swap (the live book's `venues`): CP-Swap
 * pools keep the book's own slot-aware decoding of their six accounts.
 */
export function poolVenues(
  pools: ReadonlyArray<{ readonly address: string; readonly venue: string }>,
): Map<string, LiveVenue> {
  const out = new Map<string, LiveVenue>();
  for (const p of pools) if (p.venue !== DEFAULT_LIVE_VENUE) out.set(p.address, liveVenue(p.venue));
  return out;
}
