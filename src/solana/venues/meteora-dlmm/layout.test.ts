import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomDlmmCase } from '../../../bench/suites/dlmm-parity-cases.js';
import { loadDlmmSdk } from '../../../bench/suites/dlmm-parity-sdk.js';
import { isLandfallError } from '../../../errors.js';
import { Rng } from '../../../random/rng.js';
import {
  binArrayBytes,
  FIXTURE_ACTIVE_ID,
  FIXTURE_PAIR,
  lbPairBytes,
  USDC_MINT,
} from './fixture.js';
import {
  BIN_ARRAY_SIZE,
  BITMAP_EXTENSION_DISCRIMINATOR,
  BITMAP_EXTENSION_SIZE,
  decodeBinArray,
  decodeBitmapExtension,
  decodeLbPair,
  encodeBinArray,
  encodeBitmapExtension,
  encodeLbPair,
  LB_PAIR_OFFSETS,
  LB_PAIR_SIZE,
} from './layout.js';

/** Anchor's decode, with BN, PublicKey and byte arrays turned into Landfall's plain values. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as { toBase58?: () => string; toString: () => string; words?: unknown };
  if (typeof o.toBase58 === 'function') return o.toBase58();
  if (o.words !== undefined) return BigInt(o.toString());
  if (Array.isArray(v)) {
    return v.every((x) => typeof x === 'number') ? Uint8Array.from(v as number[]) : v.map(plain);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/^_/, ''), plain(x)]));
}

/** Landfall's decode in the same terms (Uint8Array for byte arrays; u64 arrays stay bigint[]). */
function mine(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (Array.isArray(v)) return v.map(mine);
  // Anchor checks the discriminator and leaves it out.
  const fields = Object.entries(v).filter(([k]) => k !== 'discriminator');
  return Object.fromEntries(fields.map(([k, x]) => [k, mine(x)]));
}

describe('Meteora DLMM accounts (fixture written byte for byte from the IDL layout)', () => {
  it('decodes the fixture pair at its offsets, and encodes back to the same bytes', () => {
    const bytes = lbPairBytes();
    const view = new DataView(bytes.buffer);
    const pair = decodeLbPair(bytes, 'fixture');
    expect(pair.activeId).toBe(FIXTURE_ACTIVE_ID);
    expect(pair.activeId).toBe(view.getInt32(LB_PAIR_OFFSETS.activeId, true));
    expect(pair.binStep).toBe(view.getUint16(LB_PAIR_OFFSETS.binStep, true));
    expect(pair.parameters).toMatchObject({ baseFactor: 10_000, protocolShare: 500 });
    expect(pair.vParameters.lastUpdateTimestamp).toBe(1_749_999_000n);
    expect(pair.tokenYMint).toBe(USDC_MINT);
    expect(pair.activationPoint).toBe(view.getBigUint64(LB_PAIR_OFFSETS.activationPoint, true));
    expect(pair.binArrayBitmap[7]).toBe(
      view.getBigUint64(LB_PAIR_OFFSETS.binArrayBitmap + 56, true),
    );
    expect(encodeLbPair(pair)).toEqual(bytes);
    const array = decodeBinArray(binArrayBytes(-28), 'fixture');
    expect(array.index).toBe(-28n);
    expect(array.lbPair).toBe(FIXTURE_PAIR);
    expect(array.bins[FIXTURE_ACTIVE_ID + 28 * 70]?.amountX).toBe(150_000_000_000n);
    expect(encodeBinArray(array)).toEqual(binArrayBytes(-28));
  });

  it('refuses a wrong size or discriminator, naming the account', () => {
    const bytes = lbPairBytes();
    for (const bad of [
      bytes.subarray(0, LB_PAIR_SIZE - 1),
      Uint8Array.from([0, ...bytes.subarray(1)]),
    ]) {
      const err = (() => {
        try {
          decodeLbPair(bad, 'pool P');
        } catch (e) {
          return e;
        }
      })();
      expect(isLandfallError(err, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
      expect((err as Error).message).toContain('pool P');
    }
    expect(() => decodeBinArray(new Uint8Array(BIN_ARRAY_SIZE), 'array A')).toThrow(/array A/);
    expect(() => decodeBinArray(bytes, 'array A')).toThrow(/array A/);
  });

  it("agrees field for field with the SDK's anchor coder on random pairs and bin arrays", () => {
    const sdk = loadDlmmSdk();
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const c = randomDlmmCase(Rng.stream(seed, 'dlmm-layout'));
        expect(mine(decodeLbPair(c.lbPairBytes, 'p'))).toEqual(
          plain(sdk.decode('lbPair', c.lbPairBytes)),
        );
        const [first] = c.binArrays.values();
        if (first === undefined) return;
        const bytes = encodeBinArray(first);
        expect(mine(decodeBinArray(bytes, 'a'))).toEqual(plain(sdk.decode('binArray', bytes)));
      }),
      { numRuns: 200 },
    );
  });

  it('decodes a bitmap extension as the SDK does', () => {
    const sdk = loadDlmmSdk();
    const ext = {
      discriminator: Uint8Array.from(BITMAP_EXTENSION_DISCRIMINATOR),
      lbPair: FIXTURE_PAIR,
      positiveBinArrayBitmap: Array.from({ length: 12 }, (_, i) =>
        Array.from({ length: 8 }, (_, j) => BigInt(i * 8 + j) << 50n),
      ),
      negativeBinArrayBitmap: Array.from({ length: 12 }, (_, i) =>
        Array.from({ length: 8 }, (_, j) => BigInt(i + j + 1)),
      ),
    };
    const bytes = encodeBitmapExtension(ext);
    expect(bytes.length).toBe(BITMAP_EXTENSION_SIZE);
    expect(mine(decodeBitmapExtension(bytes, 'x'))).toEqual(
      plain(sdk.decode('binArrayBitmapExtension', bytes)),
    );
  });
});
