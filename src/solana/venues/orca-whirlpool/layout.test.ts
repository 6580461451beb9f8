import {
  getDynamicTickArrayDecoder,
  getDynamicTickArrayEncoder,
  getFixedTickArrayDecoder,
  getOracleAddress,
  getOracleDecoder,
  getTickArrayAddress,
  getWhirlpoolDecoder,
} from '@orca-so/whirlpools-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../../../errors.js';
import { WSOL_MINT } from '../../../market/types.js';
import { oracleAddress, tickArrayAddress } from './accounts.js';
import {
  dynamicTickArrayBytes,
  FIXTURE_KEYS,
  FIXTURE_LIQUIDITY,
  FIXTURE_POOL,
  FIXTURE_STARTS,
  FIXTURE_TICK,
  fixedTickArrayBytes,
  oracleBytes,
  USDC_MINT,
  whirlpoolBytes,
} from './fixture.js';
import {
  decodeOracle,
  decodeTickArray,
  decodeWhirlpool,
  encodeOracle,
  encodeTickArray,
  encodeWhirlpool,
  FIXED_TICK_ARRAY_DISCRIMINATOR,
  ORACLE_DISCRIMINATOR,
  type TickArray,
  WHIRLPOOL_DISCRIMINATOR,
  WHIRLPOOL_OFFSETS,
} from './layout.js';

/** JSON of a decoded account with bigints and byte arrays in one spelling, for deep equality. */
const plain = (value: unknown) =>
  JSON.parse(
    JSON.stringify(value, (_, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v,
    ),
  );

const withoutDiscriminator = ({ discriminator: _, ...rest }: { discriminator: unknown }) => rest;

/** Random bytes behind a discriminator, booleans at `boolAt` kept to 0 or 1. */
const accountBytes = (size: number, discriminator: Uint8Array, boolAt: readonly number[] = []) =>
  fc.uint8Array({ minLength: size - 8, maxLength: size - 8 }).map((body) => {
    const data = new Uint8Array(size);
    data.set(discriminator);
    data.set(body, 8);
    for (const at of boolAt) data[at] = (data[at] as number) & 1;
    return data;
  });

describe('Orca Whirlpool accounts (fixture built byte for byte from state/*.rs)', () => {
  it('decodes the Whirlpool at its Borsh offsets, and encodes back to the same bytes', () => {
    const bytes = whirlpoolBytes();
    const view = new DataView(bytes.buffer);
    const w = decodeWhirlpool(bytes, 'fixture');
    expect(w.tickSpacing).toBe(view.getUint16(WHIRLPOOL_OFFSETS.tickSpacing, true));
    expect([...w.feeTierIndexSeed]).toEqual([1_088 & 0xff, 1_088 >> 8]);
    expect([w.feeRate, w.protocolFeeRate]).toEqual([3_000, 1_300]);
    expect(w.liquidity).toBe(FIXTURE_LIQUIDITY);
    expect(w.tickCurrentIndex).toBe(FIXTURE_TICK);
    expect(w.tokenMintA).toBe(WSOL_MINT);
    expect(w.tokenMintB).toBe(USDC_MINT);
    expect(w.tokenVaultB).toBe(FIXTURE_KEYS.vaultB);
    expect(w.feeGrowthGlobalA).toBe(0x1234_5678_9abc_def0_1122_3344n);
    expect(w.rewardLastUpdatedTimestamp).toBe(1_749_990_000n);
    expect(w.rewardInfos[0]?.mint).toBe(FIXTURE_KEYS.rewardMint);
    expect(w.rewardInfos[0]?.growthGlobalX64).toBe(1n << 70n);
    expect(encodeWhirlpool(w)).toEqual(bytes);
  });

  it('decodes both tick array kinds and the oracle, and encodes them back', () => {
    const start = FIXTURE_STARTS.fixed[1];
    const fixed = decodeTickArray(fixedTickArrayBytes(start), 'fixture');
    expect(fixed).toMatchObject({ kind: 'fixed', startTickIndex: start, whirlpool: FIXTURE_POOL });
    expect(fixed.ticks.filter((t) => t.initialized)).toHaveLength(5);
    expect(encodeTickArray(fixed)).toEqual(fixedTickArrayBytes(start));
    const dynamicBytes = dynamicTickArrayBytes(FIXTURE_STARTS.dynamic);
    const dynamic = decodeTickArray(dynamicBytes, 'fixture');
    expect(dynamic.kind).toBe('dynamic');
    expect(dynamic.ticks.filter((t) => t.initialized).map((t) => t.liquidityNet)).toEqual([
      -10_000_000_000_000n,
    ]);
    expect(encodeTickArray(dynamic)).toEqual(dynamicBytes);
    const oracle = decodeOracle(oracleBytes(), 'fixture');
    expect(oracle.adaptiveFeeConstants).toMatchObject({
      tickGroupSize: 64,
      maxVolatilityAccumulator: 350_000,
    });
    expect(oracle.adaptiveFeeVariables).toMatchObject({
      tickGroupIndexReference: -297,
      volatilityAccumulator: 30_000,
    });
    expect(encodeOracle(oracle)).toEqual(oracleBytes());
  });

  it("agrees field for field with @orca-so/whirlpools-client's decoders on random accounts", () => {
    fc.assert(
      fc.property(accountBytes(653, WHIRLPOOL_DISCRIMINATOR), (bytes) => {
        const mine = decodeWhirlpool(bytes, 'random');
        expect(plain(mine)).toEqual(
          plain(withoutDiscriminator(getWhirlpoolDecoder().decode(bytes))),
        );
        expect(encodeWhirlpool(mine)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(accountBytes(254, ORACLE_DISCRIMINATOR), (bytes) => {
        const mine = decodeOracle(bytes, 'random');
        expect(plain(mine)).toEqual(plain(withoutDiscriminator(getOracleDecoder().decode(bytes))));
        expect(encodeOracle(mine)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
    const booleans = Array.from({ length: 88 }, (_, i) => 12 + i * 113);
    fc.assert(
      fc.property(accountBytes(9_988, FIXED_TICK_ARRAY_DISCRIMINATOR, booleans), (bytes) => {
        const { kind, ...mine } = decodeTickArray(bytes, 'random');
        expect(kind).toBe('fixed');
        expect(plain(mine)).toEqual(
          plain(withoutDiscriminator(getFixedTickArrayDecoder().decode(bytes))),
        );
        expect(encodeTickArray({ kind, ...mine })).toEqual(bytes);
      }),
      { numRuns: 40 },
    );
  });

  it("writes and reads a dynamic tick array exactly as the client's codec does", () => {
    const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
    const tick = fc.record({
      initialized: fc.boolean(),
      liquidityNet: fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n }),
      liquidityGross: u128,
      feeGrowthOutsideA: u128,
      feeGrowthOutsideB: u128,
      rewardGrowthsOutside: fc.array(u128, { minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(tick, { minLength: 88, maxLength: 88 }),
        fc.integer({ min: -443_636, max: 443_636 }),
        (ts, start) => {
          const ticks = ts.map((t) =>
            t.initialized
              ? t
              : {
                  ...t,
                  liquidityNet: 0n,
                  liquidityGross: 0n,
                  feeGrowthOutsideA: 0n,
                  feeGrowthOutsideB: 0n,
                  rewardGrowthsOutside: [0n, 0n, 0n],
                },
          );
          const array: TickArray = {
            kind: 'dynamic',
            startTickIndex: start,
            whirlpool: FIXTURE_POOL,
            ticks,
          };
          const bytes = encodeTickArray(array);
          const bitmap = ticks.reduce((b, t, i) => (t.initialized ? b | (1n << BigInt(i)) : b), 0n);
          const theirs = getDynamicTickArrayEncoder().encode({
            startTickIndex: start,
            whirlpool: FIXTURE_POOL,
            tickBitmap: bitmap,
            ticks: ticks.map((t) => {
              if (!t.initialized) return { __kind: 'Uninitialized' as const };
              const { initialized: _, ...data } = t;
              return { __kind: 'Initialized' as const, fields: [data] as const };
            }),
          });
          expect(bytes).toEqual(new Uint8Array(theirs));
          const decoded = getDynamicTickArrayDecoder().decode(bytes);
          expect(decodeTickArray(bytes, 'random').ticks.map((t) => t.initialized)).toEqual(
            decoded.ticks.map((t) => t.__kind === 'Initialized'),
          );
          expect(plain(decodeTickArray(bytes, 'random'))).toEqual(plain(array));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses another size, discriminator or an inconsistent dynamic array, naming the account', () => {
    const refuses = (f: () => unknown, what: RegExp) => {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(isLandfallError(caught, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
      expect(String((caught as Error).message)).toMatch(what);
    };
    refuses(
      () => decodeWhirlpool(whirlpoolBytes().subarray(0, 600), 'pool X'),
      /^pool X: .*653 bytes/,
    );
    const wrong = whirlpoolBytes();
    wrong[0] = 0;
    refuses(() => decodeWhirlpool(wrong, 'pool X'), /^pool X: .*discriminator/);
    refuses(() => decodeOracle(whirlpoolBytes(), 'oracle Y'), /^oracle Y: /);
    refuses(() => decodeTickArray(oracleBytes(), 'array Z'), /^array Z: .*discriminator/);
    const dynamic = dynamicTickArrayBytes(FIXTURE_STARTS.dynamic);
    dynamic[44] = (dynamic[44] as number) ^ 1; // a bitmap bit without its tick
    refuses(() => decodeTickArray(dynamic, 'array Z'), /^array Z: dynamic TickArray tick 0/);
  });

  it("derives the tick array and oracle PDAs as the client's async helpers do", async () => {
    for (const start of [...FIXTURE_STARTS.fixed, FIXTURE_STARTS.dynamic, -443_696, 0, 439_296]) {
      expect(tickArrayAddress(FIXTURE_POOL, start)).toBe(
        (await getTickArrayAddress(FIXTURE_POOL, start))[0],
      );
    }
    expect(oracleAddress(FIXTURE_POOL)).toBe((await getOracleAddress(FIXTURE_POOL))[0]);
  });
});
