import { readFileSync } from 'node:fs';
import type { Address } from '@solana/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { amountOut, applySwap, swapFee } from '../market/cpmm.js';
import { WSOL_MINT } from '../market/types.js';
import {
  AMM_CONFIG_SIZE,
  decodeAmmConfig,
  decodePoolState,
  decodeTokenAccount,
  POOL_STATE_DISCRIMINATOR,
  POOL_STATE_SIZE,
  tokenAccountAmount,
  withPoolStateCounters,
} from './raydium-cp-layout.js';
import { type RaydiumCpPool, snapshotOf, swapBaseInput } from './raydium-cp-pool.js';
import {
  poolAuthority,
  SWAP_BASE_INPUT_DISCRIMINATOR,
  swapBaseInputInstruction,
} from './raydium-cp-swap.js';
import { decodeMint, TOKEN_PROGRAM } from './token-2022.js';

type Fixture = Record<
  string,
  { pool: string; accounts: Record<string, { role: string; base64: string }> }
>;
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/raydium-cp-pools.json', import.meta.url), 'utf8'),
) as Fixture;

function accountsOf(key: string): Record<string, { address: string; data: Uint8Array }> {
  const f = fixtures[key];
  if (f === undefined) throw new Error(`no fixture ${key}`);
  const out: Record<string, { address: string; data: Uint8Array }> = {};
  for (const [address, a] of Object.entries(f.accounts)) {
    out[a.role] = { address, data: new Uint8Array(Buffer.from(a.base64, 'base64')) };
  }
  return out;
}

function poolOf(key: string): RaydiumCpPool {
  const a = accountsOf(key);
  const get = (role: string) => a[role] as { address: string; data: Uint8Array };
  return {
    address: get('PoolState').address as Address,
    state: decodePoolState(get('PoolState').data, 'fixture'),
    config: decodeAmmConfig(get('AmmConfig').data, 'fixture'),
    vault0Amount: decodeTokenAccount(get('token0Vault').data, 'fixture').amount,
    vault1Amount: decodeTokenAccount(get('token1Vault').data, 'fixture').amount,
    mints: [
      decodeMint(get('token0Mint').data, TOKEN_PROGRAM, 'fixture'),
      decodeMint(get('token1Mint').data, TOKEN_PROGRAM, 'fixture'),
    ],
    epoch: 712n,
  };
}

describe('Raydium CP-Swap account decoding (fixtures built from the documented layout)', () => {
  it('uses the Anchor discriminators of the program IDL', () => {
    expect([...POOL_STATE_DISCRIMINATOR]).toEqual([247, 237, 227, 245, 215, 195, 222, 70]);
    expect([...SWAP_BASE_INPUT_DISCRIMINATOR]).toEqual([143, 190, 90, 218, 196, 30, 51, 222]);
  });

  it('decodes PoolState, AmmConfig and the vaults, agreeing with reads at the documented offsets', () => {
    const a = accountsOf('wsolUsdc025');
    const raw = a.PoolState?.data as Uint8Array;
    expect(raw.length).toBe(POOL_STATE_SIZE);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const state = decodePoolState(raw, 'fixture');
    // Offsets from pool.rs: 10 pubkeys from byte 8, 5 u8s from 328, then u64s from 333.
    expect(state.token0Mint).toBe(WSOL_MINT);
    expect(state.token1Mint).toBe('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v');
    expect(raw[328 + 3]).toBe(9);
    expect(state.mint0Decimals).toBe(9);
    expect(state.mint1Decimals).toBe(6);
    expect(state.lpSupply).toBe(view.getBigUint64(333, true));
    expect(state.protocolFeesToken0).toBe(view.getBigUint64(341, true));
    expect(state.protocolFeesToken0 + state.fundFeesToken0).toBe(41_000_000n);
    expect(state.fundFeesToken1).toBe(view.getBigUint64(365, true));
    expect(state.openTime).toBe(view.getBigUint64(373, true));
    expect(state.ammConfig).toBe('D4FPEruKEHrG5TenZ2mpDGEfu1iUvTiqBxvpU8HLBvC2');
    const cfgRaw = a.AmmConfig?.data as Uint8Array;
    expect(cfgRaw.length).toBe(AMM_CONFIG_SIZE);
    const config = decodeAmmConfig(cfgRaw, 'fixture');
    expect(config.tradeFeeRate).toBe(2_500n);
    expect(config.tradeFeeRate).toBe(
      new DataView(cfgRaw.buffer, cfgRaw.byteOffset).getBigUint64(12, true),
    );
    const vault = a.token0Vault?.data as Uint8Array;
    const decoded = decodeTokenAccount(vault, 'fixture');
    expect(decoded.amount).toBe(
      new DataView(vault.buffer, vault.byteOffset).getBigUint64(64, true),
    );
    expect(decoded.amount).toBe(25_000_041_000_000n);
    expect(tokenAccountAmount(vault, 'fixture')).toBe(decoded.amount);
  });

  it('decodes the creator-fee fields at their packed offsets (pool.rs, config.rs)', () => {
    const a = accountsOf('wsolUsdc025Creator');
    const raw = a.PoolState?.data as Uint8Array;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const state = decodePoolState(raw, 'fixture');
    // After recent_epoch (381..389): creator_fee_on, enable_creator_fee, 6 bytes, two u64s.
    expect(state.creatorFeeOn).toBe(raw[389]);
    expect(state.creatorFeeOn).toBe(state.token0Mint === WSOL_MINT ? 2 : 1);
    expect(raw[390]).toBe(1);
    expect(state.enableCreatorFee).toBe(true);
    expect(state.creatorFeesToken0).toBe(view.getBigUint64(397, true));
    expect(state.creatorFeesToken1).toBe(view.getBigUint64(405, true));
    expect(state.creatorFeesToken0).toBe(3_000_000n);
    expect([...raw.subarray(413)].every((b) => b === 0)).toBe(true);
    const cfg = a.AmmConfig?.data as Uint8Array;
    expect(decodeAmmConfig(cfg, 'fixture').creatorFeeRate).toBe(500n);
    expect(new DataView(cfg.buffer, cfg.byteOffset).getBigUint64(108, true)).toBe(500n);
  });

  it('gives the pool reserves net of accrued fees, with the fee in basis points', async () => {
    const snap = snapshotOf(poolOf('wsolUsdc025'));
    expect(snap).toMatchObject({ venue: 'raydium-cp', mintA: WSOL_MINT, feeBps: 25 });
    expect(snap.reserveA).toBe(25_000_000_000_000n);
    expect(snap.reserveB).toBe(3_500_000_000_000n);
    expect(snapshotOf(poolOf('wsolUsdc100')).feeBps).toBe(100);
    expect(await poolAuthority()).toBe('GpMZbSM2GgvTKHJirzeGfMFoaZ8UR2X7F4v8vHTvxFbL');
  });

  it('takes accrued creator fees off the reserves and never fails on a rate in hundredths of a bip', () => {
    const pool = poolOf('wsolUsdc025Creator');
    const snap = snapshotOf(pool);
    expect(snap.reserveA).toBe(25_000_000_000_000n);
    expect(snap.reserveB).toBe(3_500_000_000_000n);
    // 2 500 ppm trade + 500 ppm creator = 30 bps.
    expect(snap.feeBps).toBe(30);
    const odd = { ...pool, config: { ...pool.config, tradeFeeRate: 2_537n } };
    expect(snapshotOf(odd).feeBps).toBe(31);
    const off = { ...odd, state: { ...odd.state, enableCreatorFee: false } };
    expect(snapshotOf(off).feeBps).toBe(26);
  });

  it("matches the venue's swap_base_input math against cpmm.ts for any amount (round trip)", () => {
    for (const key of ['wsolUsdc025', 'wsolUsdc100']) {
      const pool = poolOf(key);
      const snap = snapshotOf(pool);
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.boolean(), (amountIn, aToB) => {
          const direction = aToB ? 'aToB' : 'bToA';
          const venue = swapBaseInput(pool, direction, amountIn);
          const [rin, rout] = aToB
            ? [snap.reserveA, snap.reserveB]
            : [snap.reserveB, snap.reserveA];
          const expected = amountOut(rin, rout, amountIn, snap.feeBps);
          expect(applySwap(snap, direction, amountIn).amountOut).toBe(expected);
          // The program refuses a swap that would pay out nothing.
          if (!venue.ok) {
            expect([venue.refusal, expected]).toEqual(['ZeroAmount', 0n]);
            return;
          }
          expect(venue.tradeFee).toBe(swapFee(amountIn, snap.feeBps));
          expect(venue.amountOut).toBe(expected);
        }),
        { numRuns: 500 },
      );
    }
  });

  it('refuses bytes that are not the account it expects, naming the account', () => {
    const a = accountsOf('wsolUsdc025');
    const raw = new Uint8Array(a.PoolState?.data as Uint8Array);
    raw[0] = 0;
    expect(() => decodePoolState(raw, 'account X')).toThrow(
      /account X: not a Raydium CP-Swap PoolState/,
    );
    expect(() => decodePoolState(raw.subarray(0, 100), 'account Y')).toThrow(
      /account Y: .*needs 637 bytes/,
    );
    const err = (() => {
      try {
        decodeTokenAccount(new Uint8Array(10), 'vault Z');
      } catch (e) {
        return e;
      }
    })();
    expect(isLandfallError(err, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
  });

  it('re-reads only the counters after the addresses, agreeing with a full decode', () => {
    const raw = new Uint8Array(accountsOf('wsolUsdc025').PoolState?.data as Uint8Array);
    const before = decodePoolState(raw, 'fixture');
    const view = new DataView(raw.buffer, raw.byteOffset);
    view.setBigUint64(341, 99_999_999n, true);
    view.setBigUint64(365, 7n, true);
    view.setBigUint64(381, 713n, true);
    raw[329] = 4;
    raw[389] = 2;
    raw[390] = 1;
    view.setBigUint64(397, 11n, true);
    view.setBigUint64(405, 13n, true);
    const fast = withPoolStateCounters(before, raw, 'fixture');
    expect(fast).toEqual(decodePoolState(raw, 'fixture'));
    expect(fast).toMatchObject({
      protocolFeesToken0: 99_999_999n,
      fundFeesToken1: 7n,
      recentEpoch: 713n,
      status: 4,
      creatorFeeOn: 2,
      enableCreatorFee: true,
      creatorFeesToken0: 11n,
      creatorFeesToken1: 13n,
    });
  });

  it('builds swap_base_input with the accounts of the Swap context in order', async () => {
    const pool = poolOf('wsolUsdc025');
    const payer = { address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM' as Address } as never;
    const ix = await swapBaseInputInstruction({
      payer,
      pool: pool.address,
      state: pool.state,
      direction: 'aToB',
      amountIn: 7n,
      minimumAmountOut: 5n,
    });
    const accounts = ix.accounts ?? [];
    expect(accounts).toHaveLength(13);
    expect(accounts[1]?.address).toBe('GpMZbSM2GgvTKHJirzeGfMFoaZ8UR2X7F4v8vHTvxFbL');
    expect(accounts[3]?.address).toBe(pool.address);
    expect(accounts[6]?.address).toBe(pool.state.token0Vault);
    expect(accounts[12]?.address).toBe(pool.state.observationKey);
    const data = ix.data as Uint8Array;
    const view = new DataView(data.buffer, data.byteOffset);
    expect(view.getBigUint64(8, true)).toBe(7n);
    expect(view.getBigUint64(16, true)).toBe(5n);
  });
});
