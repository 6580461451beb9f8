import {
  type Address,
  getAddressCodec,
  getArrayCodec,
  getBooleanCodec,
  getI32Codec,
  getI128Codec,
  getStructCodec,
  getU128Codec,
  type ReadonlyUint8Array,
} from '@solana/kit';
import { decodeError, hasDiscriminator, withDiscriminator } from './anchor-account.js';
import { TICK_ARRAY_SIZE } from './tick-math.js';

/**
 * The two TickArray accounts of the Whirlpool program (orca-so/whirlpools `state/fixed_tick_array.rs`,
 * `state/dynamic_tick_array.rs`), both on mainnet and told apart by discriminator as
 * `load_tick_array` does. The fixed one is `repr(C, packed)` zero-copy: start index, 88 ticks of
 * 113 bytes, the pool. The dynamic one keeps a 128-bit bitmap of initialised ticks and stores each
 * tick as a Borsh enum: one tag byte, then 112 bytes only when initialised.
 */

export const FIXED_TICK_ARRAY_DISCRIMINATOR = Uint8Array.of(69, 97, 189, 190, 110, 7, 66, 187);
export const DYNAMIC_TICK_ARRAY_DISCRIMINATOR = Uint8Array.of(17, 216, 246, 142, 225, 199, 218, 56);

/** 8 + 4 + 88 × 113 + 32 (`TickArray::LEN`). */
export const FIXED_TICK_ARRAY_SIZE = 9988;
/** 8 + 4 + 32 + 16, then 88 tags (`DynamicTickArray::MIN_LEN`) up to 88 × 113 (`MAX_LEN`). */
export const DYNAMIC_TICK_ARRAY_HEADER = 60;
export const DYNAMIC_TICK_ARRAY_MAX_SIZE = DYNAMIC_TICK_ARRAY_HEADER + TICK_ARRAY_SIZE * 113;
export interface Tick {
  readonly initialized: boolean;
  readonly liquidityNet: bigint;
  readonly liquidityGross: bigint;
  readonly feeGrowthOutsideA: bigint;
  readonly feeGrowthOutsideB: bigint;
  readonly rewardGrowthsOutside: readonly bigint[];
}

export interface TickArray {
  /** Both exist on mainnet; the swap treats them alike. */
  readonly kind: 'fixed' | 'dynamic';
  readonly startTickIndex: number;
  readonly whirlpool: Address;
  /** 88 ticks, `tick_spacing` apart from `startTickIndex`. */
  readonly ticks: readonly Tick[];
}

const address = getAddressCodec();
const u128 = getU128Codec();

const tickDataFields = [
  ['liquidityNet', getI128Codec()],
  ['liquidityGross', u128],
  ['feeGrowthOutsideA', u128],
  ['feeGrowthOutsideB', u128],
  ['rewardGrowthsOutside', getArrayCodec(u128, { size: 3 })],
] as const;
const tickCodec = getStructCodec([['initialized', getBooleanCodec()], ...tickDataFields]);
const dynamicTickDataCodec = getStructCodec([...tickDataFields]);

const fixedTickArrayCodec = getStructCodec([
  ['startTickIndex', getI32Codec()],
  ['ticks', getArrayCodec(tickCodec, { size: TICK_ARRAY_SIZE })],
  ['whirlpool', address],
]);

const dynamicHeaderCodec = getStructCodec([
  ['startTickIndex', getI32Codec()],
  ['whirlpool', address],
  ['tickBitmap', u128],
]);

/** A tick no position has touched: how an absent or uninitialised slot reads. */
export const UNINITIALIZED_TICK: Tick = {
  initialized: false,
  liquidityNet: 0n,
  liquidityGross: 0n,
  feeGrowthOutsideA: 0n,
  feeGrowthOutsideB: 0n,
  rewardGrowthsOutside: [0n, 0n, 0n],
};

/** Either kind of tick array, told apart by its discriminator as `load_tick_array` does. */
export function decodeTickArray(data: Uint8Array, where: string): TickArray {
  if (hasDiscriminator(data, FIXED_TICK_ARRAY_DISCRIMINATOR)) {
    if (data.length !== FIXED_TICK_ARRAY_SIZE) {
      throw decodeError(
        where,
        `a fixed TickArray is ${FIXED_TICK_ARRAY_SIZE} bytes, the account holds ${data.length}`,
      );
    }
    return { kind: 'fixed', ...fixedTickArrayCodec.decode(data, 8) };
  }
  if (!hasDiscriminator(data, DYNAMIC_TICK_ARRAY_DISCRIMINATOR)) {
    throw decodeError(where, 'not an Orca TickArray account (discriminator mismatch)');
  }
  if (data.length < DYNAMIC_TICK_ARRAY_HEADER + TICK_ARRAY_SIZE) {
    throw decodeError(
      where,
      `a dynamic TickArray is at least ${DYNAMIC_TICK_ARRAY_HEADER + TICK_ARRAY_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  const header = dynamicHeaderCodec.decode(data, 8);
  const ticks: Tick[] = [];
  let at = DYNAMIC_TICK_ARRAY_HEADER;
  for (let i = 0; i < TICK_ARRAY_SIZE; i++) {
    const tag = data[at];
    const inBitmap = ((header.tickBitmap >> BigInt(i)) & 1n) === 1n;
    if (tag === 0 && !inBitmap) {
      ticks.push(UNINITIALIZED_TICK);
      at += 1;
    } else if (tag === 1 && inBitmap && at + 113 <= data.length) {
      ticks.push({ initialized: true, ...dynamicTickDataCodec.decode(data, at + 1) });
      at += 113;
    } else {
      throw decodeError(
        where,
        `dynamic TickArray tick ${i}: tag ${tag} and bitmap bit ${inBitmap ? 1 : 0} disagree or run past the data`,
      );
    }
  }
  return {
    kind: 'dynamic',
    startTickIndex: header.startTickIndex,
    whirlpool: header.whirlpool,
    ticks,
  };
}

// The codecs want mutable arrays; these are copies.
const mutableTick = (t: Tick) => ({ ...t, rewardGrowthsOutside: [...t.rewardGrowthsOutside] });

/** A tick array in its own kind's layout (a dynamic one as compact as the program keeps it). */
export function encodeTickArray(t: TickArray): Uint8Array {
  if (t.kind === 'fixed') {
    const body = fixedTickArrayCodec.encode({ ...t, ticks: t.ticks.map(mutableTick) });
    return withDiscriminator(FIXED_TICK_ARRAY_DISCRIMINATOR, body);
  }
  let bitmap = 0n;
  const parts: ReadonlyUint8Array[] = [];
  for (const [i, tick] of t.ticks.entries()) {
    if (!tick.initialized) {
      parts.push(Uint8Array.of(0));
      continue;
    }
    bitmap |= 1n << BigInt(i);
    parts.push(Uint8Array.of(1), dynamicTickDataCodec.encode(mutableTick(tick)));
  }
  const header = dynamicHeaderCodec.encode({ ...t, tickBitmap: bitmap });
  const size = parts.reduce((n, p) => n + p.length, 8 + header.length);
  const out = new Uint8Array(size);
  out.set(DYNAMIC_TICK_ARRAY_DISCRIMINATOR);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
