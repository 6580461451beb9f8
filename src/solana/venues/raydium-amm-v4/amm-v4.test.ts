import type { Address, TransactionSigner } from '@solana/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAmmV4Sdk } from '../../../bench/suites/raydium-amm-v4-sdk.js';
import { ammV4DecodeDiff } from '../../../bench/suites/venue-parity.js';
import { isLandfallError } from '../../../errors.js';
import { WSOL_MINT } from '../../../market/types.js';
import { associatedTokenAccount } from '../../raydium-cp-swap.js';
import { TOKEN_PROGRAM } from '../../token-2022.js';
import {
  AMM_AUTHORITY,
  AMM_AUTHORITY_NONCE,
  ammInfoBytes,
  FIXTURE_COIN_VAULT_AMOUNT,
  FIXTURE_KEYS,
  FIXTURE_PC_VAULT_AMOUNT,
  FIXTURE_POOL,
  fixtureAccounts,
  USDC_MINT,
} from './fixture.js';
import { ammAuthority, SWAP_BASE_IN_V2_TAG, swapBaseInV2Instruction } from './instruction.js';
import {
  AMM_INFO_OFFSETS,
  AMM_INFO_SIZE,
  AmmStatus,
  decodeAmmInfo,
  encodeAmmInfo,
  RAYDIUM_AMM_V4_PROGRAM,
} from './layout.js';
import { type AmmV4Pool, afterSwap, swapBaseIn, swapFee, tradableReserves } from './math.js';
import { raydiumAmmV4 } from './venue.js';

const NOW = 1_700_000_000n;
const PAYER = { address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM' as Address };

function poolOf(bytes = ammInfoBytes()): AmmV4Pool {
  return {
    info: decodeAmmInfo(bytes, 'fixture'),
    coinVaultAmount: FIXTURE_COIN_VAULT_AMOUNT,
    pcVaultAmount: FIXTURE_PC_VAULT_AMOUNT,
  };
}

describe('Raydium AMM v4 AmmInfo (fixture built byte for byte from state.rs)', () => {
  it('decodes every field at its packed offset, and encodes back to the same bytes', () => {
    const bytes = ammInfoBytes();
    const view = new DataView(bytes.buffer);
    const info = decodeAmmInfo(bytes, 'fixture');
    expect(info.status).toBe(AmmStatus.SwapOnly);
    expect(info.nonce).toBe(254n);
    expect([info.coinDecimals, info.pcDecimals]).toEqual([9n, 6n]);
    expect(info.fees.swapFeeNumerator).toBe(
      view.getBigUint64(AMM_INFO_OFFSETS.swapFeeNumerator, true),
    );
    expect(info.fees).toMatchObject({ swapFeeNumerator: 25n, swapFeeDenominator: 10_000n });
    expect(info.stateData.needTakePnlCoin).toBe(1_500_000_000n);
    expect(info.stateData.needTakePnlPc).toBe(
      view.getBigUint64(AMM_INFO_OFFSETS.needTakePnlPc, true),
    );
    expect(info.stateData.poolOpenTime).toBe(
      view.getBigUint64(AMM_INFO_OFFSETS.poolOpenTime, true),
    );
    expect(info.stateData.swapCoinInAmount).toBe((0x1234n << 64n) | 0xffff_ffff_ffff_ffffn);
    expect(info.coinVault).toBe(FIXTURE_KEYS.coinVault);
    expect(info.pcVault).toBe(FIXTURE_KEYS.pcVault);
    expect(info.coinVaultMint).toBe(WSOL_MINT);
    expect(info.pcVaultMint).toBe(USDC_MINT);
    expect(info.targetOrders).toBe(FIXTURE_KEYS.targetOrders);
    expect(info.ammOwner).toBe(FIXTURE_KEYS.ammOwner);
    expect(info.lpAmount).toBe(5_000_000_000_000n);
    expect(info.recentEpoch).toBe(view.getBigUint64(AMM_INFO_OFFSETS.recentEpoch, true));
    expect(encodeAmmInfo(info)).toEqual(bytes);
  });

  it("agrees field for field with the SDK's own decoder (liquidityStateV4Layout)", () => {
    const sdk = loadAmmV4Sdk();
    expect(sdk.stateLayout.span).toBe(AMM_INFO_SIZE);
    expect(ammV4DecodeDiff(sdk, ammInfoBytes())).toBeNull();
    // A byte moved anywhere moves the same field for both: every byte is in some compared field.
    for (const at of [0, 176, 200, 263, 340, 630, 700, 751]) {
      const bytes = ammInfoBytes();
      bytes[at] = (bytes[at] as number) ^ 0x5a;
      if (decodeAmmInfo(bytes, 'x').status === 0n) continue;
      expect(ammV4DecodeDiff(sdk, bytes)).toBeNull();
      expect(decodeAmmInfo(bytes, 'x')).not.toEqual(decodeAmmInfo(ammInfoBytes(), 'x'));
    }
  });

  it('refuses an account of another size or an uninitialized pool, naming it', () => {
    const err = (() => {
      try {
        decodeAmmInfo(new Uint8Array(751), 'account X');
      } catch (e) {
        return e;
      }
    })();
    expect(isLandfallError(err, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
    expect(() => decodeAmmInfo(new Uint8Array(751), 'account X')).toThrow(/account X: .*752 bytes/);
    expect(() => decodeAmmInfo(ammInfoBytes({ status: 0n }), 'account Y')).toThrow(
      /account Y: .*uninitialized/,
    );
  });
});

describe('Raydium AMM v4 swap_base_in (processor.rs process_swap_base_in_v2, math.rs)', () => {
  it('nets the PnL owed off the vaults and prices with the fee rounded up', () => {
    const pool = poolOf();
    expect(tradableReserves(pool)).toEqual([12_345_678_901_234n, 2_000_111_222_333n]);
    // 1 SOL in: fee ceil(1e9 · 25 / 10 000) = 2 500 000; out floor(pc · net / (coin + net)).
    expect(swapBaseIn(pool, 'aToB', 1_000_000_000n, NOW)).toEqual({
      ok: true,
      direction: 'aToB',
      amountIn: 1_000_000_000n,
      amountOut: 161_590_931n,
      fee: 2_500_000n,
    });
    // 150 USDC in: fee 375 000, rounded up from 375 000 exactly.
    const back = swapBaseIn(pool, 'bToA', 150_000_000n, NOW);
    expect(back).toMatchObject({ ok: true, amountOut: 923_490_657n, fee: 375_000n });
    // 401 units: 401 · 25 / 10 000 = 1.0025, rounded up to 2; 8 units: 0.02 rounds up to a fee
    // of 1 and the 7 left buy 1 unit of pc; 7 units leave 6, which buy less than one: refused.
    expect(swapBaseIn(pool, 'aToB', 401n, NOW)).toMatchObject({
      ok: true,
      fee: 2n,
      amountOut: 64n,
    });
    expect(swapBaseIn(pool, 'bToA', 401n, NOW)).toMatchObject({ fee: 2n, amountOut: 2_462n });
    expect(swapBaseIn(pool, 'aToB', 8n, NOW)).toMatchObject({ ok: true, fee: 1n, amountOut: 1n });
    expect(swapBaseIn(pool, 'aToB', 7n, NOW)).toEqual({ ok: false, refusal: 'InvalidInput' });
  });

  it('follows the pool fee rate, whatever it is, with the program refusals at its extremes', () => {
    const withFee = (num: bigint, den: bigint) => poolOf(ammInfoBytes({ swapFee: [num, den] }));
    expect(swapBaseIn(withFee(0n, 10_000n), 'bToA', 150_000_000n, NOW)).toMatchObject({ fee: 0n });
    expect(swapBaseIn(withFee(3n, 1_000n), 'bToA', 1_001n, NOW)).toMatchObject({ fee: 4n });
    // Every fee rounds up (math.rs checked_ceil_div since 78c6a81; the first published source
    // rounded a fee under one unit half-up): 25 / 10 000 of 1 is 0.0025 → 1; of 199, 0.4975 →
    // 1; of 400, exactly 1 → 1; of 401, 1.0025 → 2; of 0 → 0.
    const std = withFee(25n, 10_000n);
    expect(swapBaseIn(std, 'aToB', 199n, NOW)).toMatchObject({ fee: 1n });
    expect(swapBaseIn(std, 'aToB', 400n, NOW)).toMatchObject({ fee: 1n });
    expect(swapBaseIn(std, 'aToB', 401n, NOW)).toMatchObject({ fee: 2n });
    expect(swapFee(1n, std.info)).toBe(1n);
    expect(swapFee(0n, std.info)).toBe(0n);
    // The whole input as fee leaves nothing to trade; more than it underflows and aborts.
    expect(swapBaseIn(withFee(1n, 1n), 'aToB', 10n ** 9n, NOW)).toMatchObject({
      refusal: 'InvalidInput',
    });
    expect(swapBaseIn(withFee(2n, 1n), 'aToB', 10n ** 9n, NOW)).toMatchObject({
      refusal: 'ArithmeticAbort',
    });
    expect(swapBaseIn(withFee(25n, 0n), 'aToB', 10n ** 9n, NOW)).toMatchObject({
      refusal: 'ArithmeticAbort',
    });
  });

  it('never lowers the product of reserves, and pays less for a higher fee or a smaller input', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: 9_999n }),
        fc.boolean(),
        (coin, pc, amountIn, feeNum, aToB) => {
          const info = decodeAmmInfo(
            ammInfoBytes({ swapFee: [feeNum, 10_000n], needTakePnl: [0n, 0n] }),
            'fixture',
          );
          const pool = { info, coinVaultAmount: coin, pcVaultAmount: pc };
          const direction = aToB ? 'aToB' : 'bToA';
          const q = swapBaseIn(pool, direction, amountIn, NOW);
          if (!q.ok) return;
          const after = afterSwap(pool, q, 713n);
          expect(after.coinVaultAmount * after.pcVaultAmount).toBeGreaterThanOrEqual(coin * pc);
          const dearer = {
            ...pool,
            info: { ...info, fees: { ...info.fees, swapFeeNumerator: feeNum + 1n } },
          };
          const d = swapBaseIn(dearer, direction, amountIn, NOW);
          expect(d.ok ? d.amountOut : 0n).toBeLessThanOrEqual(q.amountOut);
          const s = swapBaseIn(pool, direction, amountIn - 1n, NOW);
          expect(s.ok ? s.amountOut : 0n).toBeLessThanOrEqual(q.amountOut);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses by status, open time, vault mints and PnL as the program does, in its order', () => {
    const at = (o: Parameters<typeof ammInfoBytes>[0], now = NOW) =>
      swapBaseIn(poolOf(ammInfoBytes(o)), 'aToB', 1_000_000_000n, now);
    for (const status of [2n, 3n, 4n, 5n]) {
      expect(at({ status })).toMatchObject({ refusal: 'InvalidStatus' });
    }
    // Initialized pools still run OpenBook: only the v1 instruction (with its accounts) swaps them.
    expect(at({ status: 1n })).toMatchObject({ refusal: 'InvalidStatus' });
    expect(at({ status: 6n })).toMatchObject({ ok: true });
    expect(at({ status: 7n, poolOpenTime: NOW + 1n })).toMatchObject({ refusal: 'InvalidStatus' });
    expect(at({ status: 7n, poolOpenTime: NOW })).toMatchObject({ ok: true });
    // PnL above a vault fails the checked subtraction; status is checked first.
    const owed = { needTakePnl: [FIXTURE_COIN_VAULT_AMOUNT + 1n, 0n] } as const;
    expect(at(owed)).toMatchObject({ refusal: 'CheckedSubOverflow' });
    expect(at({ ...owed, status: 2n })).toMatchObject({ refusal: 'InvalidStatus' });
    // Nothing left to trade against on the input side: the whole output reserve, refused.
    expect(at({ needTakePnl: [FIXTURE_COIN_VAULT_AMOUNT, 0n] })).toMatchObject({
      refusal: 'InsufficientFunds',
    });
    const pool = poolOf();
    const same = { ...pool, info: { ...pool.info, pcVaultMint: pool.info.coinVaultMint } };
    expect(swapBaseIn(same, 'aToB', 1n, NOW)).toMatchObject({ refusal: 'NotAllowed' });
  });

  it('moves the whole input into one vault and the output out of the other', () => {
    const pool = poolOf(ammInfoBytes({ status: 7n, poolOpenTime: NOW }));
    const q = swapBaseIn(pool, 'bToA', 150_000_000n, NOW);
    if (!q.ok) throw new Error(q.refusal);
    const after = afterSwap(pool, q, 713n);
    expect(after.pcVaultAmount).toBe(FIXTURE_PC_VAULT_AMOUNT + 150_000_000n);
    expect(after.coinVaultAmount).toBe(FIXTURE_COIN_VAULT_AMOUNT - 923_490_657n);
    expect(after.info.status).toBe(AmmStatus.SwapOnly);
    expect(after.info.recentEpoch).toBe(713n);
    expect(after.info.stateData).toEqual(pool.info.stateData);
    expect(pool.pcVaultAmount).toBe(FIXTURE_PC_VAULT_AMOUNT);
  });
});

describe('Raydium AMM v4 swap_base_in_v2 instruction (instruction.rs)', () => {
  it("matches the SDK's swapBaseInV2Instruction: tag 16, two u64s, eight accounts in order", async () => {
    const sdk = loadAmmV4Sdk();
    const auth = sdk.authority(RAYDIUM_AMM_V4_PROGRAM);
    expect([auth.publicKey.toBase58(), BigInt(auth.nonce)]).toEqual([
      AMM_AUTHORITY,
      AMM_AUTHORITY_NONCE,
    ]);
    expect(await ammAuthority(AMM_AUTHORITY_NONCE)).toBe(AMM_AUTHORITY);
    for (const direction of ['aToB', 'bToA'] as const) {
      const pool = poolOf();
      const ix = await swapBaseInV2Instruction({
        payer: PAYER as TransactionSigner,
        pool: FIXTURE_POOL,
        state: pool,
        direction,
        amountIn: 1_000_000_007n,
        minimumAmountOut: 161_000_003n,
      });
      const [inMint, outMint] =
        direction === 'aToB' ? [WSOL_MINT, USDC_MINT] : [USDC_MINT, WSOL_MINT];
      const ata = (mint: string) =>
        associatedTokenAccount(PAYER.address, mint as Address, TOKEN_PROGRAM);
      const theirs = sdk.swapBaseInV2(
        RAYDIUM_AMM_V4_PROGRAM,
        FIXTURE_POOL,
        AMM_AUTHORITY,
        FIXTURE_KEYS.coinVault,
        FIXTURE_KEYS.pcVault,
        await ata(inMint),
        await ata(outMint),
        PAYER.address,
        new sdk.BN('1000000007'),
        new sdk.BN('161000003'),
      );
      expect(ix.programAddress).toBe(theirs.programId.toBase58());
      expect([...(ix.data as Uint8Array)]).toEqual([...theirs.data]);
      expect((ix.data as Uint8Array)[0]).toBe(SWAP_BASE_IN_V2_TAG);
      const flags = (role: number) => ({ isSigner: role >= 2, isWritable: (role & 1) === 1 });
      expect((ix.accounts ?? []).map((a) => ({ pubkey: a.address, ...flags(a.role) }))).toEqual(
        theirs.keys.map((k) => ({
          pubkey: k.pubkey.toBase58(),
          isSigner: k.isSigner,
          isWritable: k.isWritable,
        })),
      );
    }
  });

  it('refuses a pool whose nonce is not the authority bump', async () => {
    await expect(ammAuthority(253n)).rejects.toThrow(/nonce 253 is not the authority's bump 254/);
  });
});

describe('Raydium AMM v4 behind the venue interface', () => {
  it('watches the pool and its vaults, decodes them, quotes and applies', () => {
    const accounts = fixtureAccounts();
    const watched = raydiumAmmV4.watchedAccounts(
      FIXTURE_POOL,
      accounts.get(FIXTURE_POOL) as Uint8Array,
    );
    expect(watched).toEqual([FIXTURE_POOL, FIXTURE_KEYS.coinVault, FIXTURE_KEYS.pcVault]);
    const context = { unixTimestamp: NOW, epoch: 713n };
    const state = raydiumAmmV4.decode(FIXTURE_POOL, (a) => accounts.get(a), context);
    expect(state).toEqual(poolOf());
    const q = raydiumAmmV4.quote(state, 'aToB', 1_000_000_000n, context);
    expect(q).toMatchObject({ ok: true, amountOut: 161_590_931n });
    if (!q.ok) return;
    expect(raydiumAmmV4.apply(state, q, context).pcVaultAmount).toBe(
      FIXTURE_PC_VAULT_AMOUNT - 161_590_931n,
    );
    accounts.delete(FIXTURE_KEYS.pcVault);
    expect(() => raydiumAmmV4.decode(FIXTURE_POOL, (a) => accounts.get(a), context)).toThrow(
      /pc vault account .* has not been read/,
    );
  });
});
