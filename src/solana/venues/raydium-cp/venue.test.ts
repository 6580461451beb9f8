import { readFileSync } from 'node:fs';
import type { Address, TransactionSigner } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { afterSwap, swapBaseInput } from '../../raydium-cp-pool.js';
import { swapBaseInputInstruction } from '../../raydium-cp-swap.js';
import { raydiumCp } from './venue.js';

type Fixture = Record<string, { pool: string; accounts: Record<string, { base64: string }> }>;
const fixture = (
  JSON.parse(
    readFileSync(new URL('../../fixtures/raydium-cp-pools.json', import.meta.url), 'utf8'),
  ) as Fixture
).wsolUsdc025Creator as Fixture[string];
const pool = fixture.pool as Address;
const accounts = new Map(
  Object.entries(fixture.accounts).map(([a, v]) => [
    a,
    new Uint8Array(Buffer.from(v.base64, 'base64')),
  ]),
);
const context = { unixTimestamp: 1_750_000_000n, epoch: 713n };
const state = raydiumCp.decode(pool, (a) => accounts.get(a), context);

describe('Raydium CP-Swap behind the venue interface (the existing modules, adapted)', () => {
  it('quotes and applies exactly as raydium-cp-pool.ts, with the fee in the input token', () => {
    expect(state.epoch).toBe(713n);
    for (const direction of ['aToB', 'bToA'] as const) {
      const q = raydiumCp.quote(state, direction, 2_000_000_000n, context);
      const direct = swapBaseInput(state, direction, 2_000_000_000n);
      if (!q.ok || !direct.ok) throw new Error('refused');
      expect(q).toEqual({
        ...direct,
        fee: direct.tradeFee + (direct.creatorFeeOnInput ? direct.creatorFee : 0n),
      });
      expect(raydiumCp.apply(state, q, context)).toEqual(afterSwap(state, direct));
    }
  });

  it("refuses with the program's NotApproved when swaps are off or before the open time", () => {
    const off = { ...state, state: { ...state.state, status: 1 << 2 } };
    expect(raydiumCp.quote(off, 'aToB', 1_000_000n, context)).toEqual({
      ok: false,
      refusal: 'NotApproved',
    });
    const early = { ...context, unixTimestamp: state.state.openTime - 1n };
    expect(raydiumCp.quote(state, 'aToB', 1_000_000n, early)).toMatchObject({
      refusal: 'NotApproved',
    });
  });

  it('builds the same swap_base_input as raydium-cp-swap.ts', async () => {
    const payer = { address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM' } as TransactionSigner;
    const input = { payer, pool, direction: 'bToA', amountIn: 7n, minimumAmountOut: 5n } as const;
    expect(await raydiumCp.swapInstruction({ ...input, state })).toEqual(
      await swapBaseInputInstruction({ ...input, state: state.state }),
    );
  });
});
