import type { Address, TransactionSigner } from '@solana/kit';
import { AccountRole } from '@solana/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../../errors.js';
import type { SwapDirection } from '../../market/types.js';
import { type ChainContext, type QuoteOk, U64_MAX, type Venue } from './venue.js';

/**
 * The rules of `Venue` (venue.ts) as one test suite, run against every venue with a pool of its
 * own (contract.test.ts). A venue's own tests check its maths against the program and its SDK;
 * this checks that it keeps the interface's promises, so the code that only knows `Venue`
 * (the cycle search, the simulator) can rely on them.
 */

export interface VenueFixture {
  readonly pool: Address;
  /** Every account the pool is read from, and nothing else. */
  readonly accounts: ReadonlyMap<Address, Uint8Array>;
  readonly context: ChainContext;
  /** Inputs the pool executes in both directions. */
  readonly amounts: readonly bigint[];
}

const PAYER = { address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM' } as TransactionSigner;
const DIRECTIONS: readonly SwapDirection[] = ['aToB', 'bToA'];

export function venueContract<S, Q extends QuoteOk>(
  venue: Venue<S, Q>,
  fixture: () => VenueFixture,
): void {
  describe(`venue contract: ${venue.name}`, () => {
    const decode = (f: VenueFixture) => venue.decode(f.pool, (a) => f.accounts.get(a), f.context);

    it('watches the pool first and exactly the accounts its state is decoded from', () => {
      const f = fixture();
      const watched = venue.watchedAccounts(f.pool, f.accounts.get(f.pool) as Uint8Array);
      expect(watched[0]).toBe(f.pool);
      expect(new Set(watched).size).toBe(watched.length);
      expect([...watched].sort()).toEqual([...f.accounts.keys()].sort());
      for (const missing of watched) {
        const err = (() => {
          try {
            venue.decode(f.pool, (a) => (a === missing ? undefined : f.accounts.get(a)), f.context);
          } catch (e) {
            return e;
          }
        })();
        expect(isLandfallError(err, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
      }
    });

    it('quotes what it was given, a positive output and a fee within the input', () => {
      const f = fixture();
      const state = decode(f);
      for (const direction of DIRECTIONS) {
        for (const amountIn of f.amounts) {
          const q = venue.quote(state, direction, amountIn, f.context);
          if (!q.ok) throw new Error(`${direction} ${amountIn}: refused ${q.refusal}`);
          expect(q).toMatchObject({ direction, amountIn });
          expect(q.amountOut).toBeGreaterThan(0n);
          expect(q.fee >= 0n && q.fee <= amountIn).toBe(true);
        }
      }
    });

    it('never throws on any u64 input: a quote or a named refusal', () => {
      const f = fixture();
      const state = decode(f);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.boolean(), (amountIn, aToB) => {
          const q = venue.quote(state, aToB ? 'aToB' : 'bToA', amountIn, f.context);
          if (q.ok) expect(q.amountOut).toBeGreaterThan(0n);
          else expect(q.refusal).toMatch(/^[A-Z][A-Za-z]+$/);
        }),
        { numRuns: 300 },
      );
    });

    it('applies a swap to a new state, leaving the old one, and moves the price against it', () => {
      const f = fixture();
      const state = decode(f);
      for (const direction of DIRECTIONS) {
        const amountIn = f.amounts[f.amounts.length - 1] as bigint;
        const q = venue.quote(state, direction, amountIn, f.context);
        if (!q.ok) throw new Error(q.refusal);
        const after = venue.apply(state, q, f.context);
        expect(state).toEqual(decode(f));
        expect(after).not.toEqual(state);
        const again = venue.quote(after, direction, amountIn, f.context);
        expect(again.ok ? again.amountOut : 0n).toBeLessThanOrEqual(q.amountOut);
      }
    });

    it('describes the pool for the live source: its id and name, two mints, reserves and a fee', (ctx) => {
      const snapshot = venue.snapshot;
      if (snapshot === undefined) {
        ctx.skip(); // no `snapshot` yet: the venue is not traded live (venues/live.ts)
        return;
      }
      const f = fixture();
      const s = snapshot(f.pool, decode(f));
      expect(s).toMatchObject({ id: f.pool, venue: venue.name });
      expect(s.mintA).not.toBe(s.mintB);
      expect(s.reserveA > 0n && s.reserveB > 0n).toBe(true);
      expect(s.feeBps >= 0 && s.feeBps <= 10_000).toBe(true);
      expect(s).not.toHaveProperty('curve');
    });

    it("builds the program's swap with the pool writable and the payer signing", async () => {
      const f = fixture();
      const state = decode(f);
      for (const direction of DIRECTIONS) {
        const ix = await venue.swapInstruction({
          payer: PAYER,
          pool: f.pool,
          state,
          direction,
          amountIn: f.amounts[0] as bigint,
          minimumAmountOut: 1n,
        });
        expect(ix.programAddress).toBe(venue.programAddress);
        const role = (a: Address) => ix.accounts?.find((m) => m.address === a)?.role;
        expect(role(f.pool)).toBe(AccountRole.WRITABLE);
        expect(role(PAYER.address)).toBe(AccountRole.READONLY_SIGNER);
      }
    });
  });
}
