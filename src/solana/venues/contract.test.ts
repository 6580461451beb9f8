import { readFileSync } from 'node:fs';
import type { Address } from '@solana/kit';
import { venueContract } from './contract.js';
import {
  FIXTURE_PAIR as DLMM_FIXTURE_PAIR,
  fixtureAccounts as dlmmFixtureAccounts,
} from './meteora-dlmm/fixture.js';
import { meteoraDlmm } from './meteora-dlmm/venue.js';
import {
  FIXTURE_POOL as WHIRLPOOL_FIXTURE_POOL,
  fixtureAccounts as whirlpoolFixtureAccounts,
} from './orca-whirlpool/fixture.js';
import { orcaWhirlpool } from './orca-whirlpool/venue.js';
import { FIXTURE_POOL, fixtureAccounts } from './raydium-amm-v4/fixture.js';
import { raydiumAmmV4 } from './raydium-amm-v4/venue.js';
import { raydiumCp } from './raydium-cp/venue.js';

/** Every venue, with a pool of its own, through the one contract suite. */

// After every fixture pool opened (the CP-Swap fixtures open at 1 717 000 000).
const context = { unixTimestamp: 1_750_000_000n, epoch: 712n };

venueContract(raydiumAmmV4, () => ({
  pool: FIXTURE_POOL,
  accounts: fixtureAccounts(),
  context,
  amounts: [1_000n, 150_000_000n, 1_000_000_000_000n],
}));

venueContract(meteoraDlmm, () => ({
  pool: DLMM_FIXTURE_PAIR,
  accounts: dlmmFixtureAccounts(),
  context,
  amounts: [1_000n, 150_000_000n, 1_000_000_000_000n],
}));

venueContract(orcaWhirlpool, () => ({
  pool: WHIRLPOOL_FIXTURE_POOL,
  accounts: whirlpoolFixtureAccounts(),
  context,
  amounts: [1_000n, 150_000_000n, 1_000_000_000_000n],
}));

type CpFixtures = Record<string, { pool: string; accounts: Record<string, { base64: string }> }>;
const cp = JSON.parse(
  readFileSync(new URL('../fixtures/raydium-cp-pools.json', import.meta.url), 'utf8'),
) as CpFixtures;

for (const key of ['wsolUsdc025', 'wsolUsdc025Creator']) {
  const f = cp[key];
  if (f === undefined) throw new Error(`no CP-Swap fixture ${key}`);
  venueContract(raydiumCp, () => ({
    pool: f.pool as Address,
    accounts: new Map(
      Object.entries(f.accounts).map(([a, v]) => [
        a as Address,
        new Uint8Array(Buffer.from(v.base64, 'base64')),
      ]),
    ),
    context,
    amounts: [1_000n, 150_000_000n, 1_000_000_000_000n],
  }));
}
