import type { Address } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { WSOL_MINT } from '../market/types.js';
import { quoteLive } from './live-pool.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { poolVenues } from './venues/live.js';
import { FIXTURE_PAIR, fixtureAccounts, USDC_MINT } from './venues/meteora-dlmm/fixture.js';
import { ActivationType, DLMM_PROGRAM, PairType } from './venues/meteora-dlmm/layout.js';
import { meteoraDlmm } from './venues/meteora-dlmm/venue.js';
import { type AccountData, WatchedPools } from './watched-pools.js';

/**
 * A permissioned DLMM pair activated by slot: priced once the cluster's slot (`Clock::slot`) is
 * known and past its activation point, refused before it; the live book passes the slot of the
 * accounts it read.
 */
const ACTIVATION_SLOT = 1_000n;
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };
const SCHEDULE = {
  slotsPerEpoch: 432_000n,
  firstNormalEpoch: 14n,
  firstNormalSlot: 524_256n,
  warmup: true,
};
const NOW = 1_750_000_000_000;

function slotActivated(): Map<Address, Uint8Array> {
  const accounts = fixtureAccounts({
    pairType: PairType.Permission,
    activationPoint: ACTIVATION_SLOT,
  });
  // activation_type at 86 (the fixture writes Timestamp).
  (accounts.get(FIXTURE_PAIR) as Uint8Array)[86] = ActivationType.Slot;
  return accounts;
}

describe('a DLMM pair activated by slot', () => {
  const accounts = slotActivated();
  const state = meteoraDlmm.decode(FIXTURE_PAIR, (a) => accounts.get(a), CONTEXT);

  it('is refused while the slot is unknown or before its activation, quoted from it on', () => {
    const quote = (slot?: bigint) =>
      meteoraDlmm.quote(
        state,
        'aToB',
        1_000_000n,
        slot === undefined ? CONTEXT : { ...CONTEXT, slot },
      );
    expect(state.pair.activationType).toBe(ActivationType.Slot);
    expect(quote()).toEqual({ ok: false, refusal: 'ActivationSlotUnknown' });
    expect(quote(ACTIVATION_SLOT - 1n)).toEqual({ ok: false, refusal: 'PoolDisabled' });
    expect(quote(ACTIVATION_SLOT)).toMatchObject({ ok: true });
    expect(quote(ACTIVATION_SLOT + 50n)).toMatchObject({ ok: true });
  });

  it('the live book quotes it with the slot of the accounts it read', () => {
    const pools = [{ address: FIXTURE_PAIR, venue: 'meteora-dlmm' }];
    const book = new WatchedPools([FIXTURE_PAIR], 10_000, poolVenues(pools));
    book.useEpochSchedule(SCHEDULE);
    const read = (slot: number) =>
      book.read(
        slot,
        book.accountsOf(FIXTURE_PAIR).map((a): readonly [string, AccountData] => {
          const owner = a === WSOL_MINT || a === USDC_MINT ? TOKEN_PROGRAM : DLMM_PROGRAM;
          return [a, { data: accounts.get(a) as Uint8Array, owner }];
        }),
        NOW,
      );
    read(990);
    read(998);
    const before = book.livePool(FIXTURE_PAIR);
    expect(before?.context.slot).toBe(998n);
    expect(before && quoteLive(before, 'aToB', 1_000_000n)).toEqual({
      ok: false,
      refusal: 'PoolDisabled',
    });
    // The same bytes read again past the activation slot: the pair opens with no change of its own.
    read(1_001);
    const after = book.livePool(FIXTURE_PAIR);
    expect(after?.context.slot).toBe(1_001n);
    expect(after && quoteLive(after, 'aToB', 1_000_000n)).toMatchObject({ ok: true });
  });
});
