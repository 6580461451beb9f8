import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { encodeMint, transferFeeConfigBytes } from './testing/mint-fixtures.js';
import {
  calculateFee,
  calculateInverseFee,
  calculatePreFeeAmount,
  decodeMint,
  epochFee,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
  type TransferFee,
  type TransferFeeConfig,
  transferFeeOf,
} from './token-2022.js';

const U64_MAX = (1n << 64n) - 1n;
const fee = (basisPoints: number, maximumFee: bigint, epoch = 0n): TransferFee => ({
  epoch,
  maximumFee,
  basisPoints,
});
const config: TransferFeeConfig = {
  olderTransferFee: fee(100, 10n, 1n),
  newerTransferFee: fee(1, 5_000n, 100n),
};

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('mint decoding (SPL Token and Token-2022)', () => {
  it('reads decimals of an SPL Token mint and gives it no transfer fee', () => {
    const data = encodeMint({ program: TOKEN_PROGRAM, decimals: 6 });
    expect(data.length).toBe(82);
    expect(decodeMint(data, TOKEN_PROGRAM, 'usdc')).toEqual({
      program: TOKEN_PROGRAM,
      decimals: 6,
      transferFee: null,
    });
  });

  it('reads the TransferFeeConfig of a Token-2022 mint at its documented offsets', () => {
    const data = encodeMint({ program: TOKEN_2022_PROGRAM, decimals: 9, transferFee: config });
    // Mint (82) + padding to 165 + account type + TLV header (type 1, length 108) + value.
    expect(data.length).toBe(166 + 4 + 108);
    expect(data[165]).toBe(1);
    const view = new DataView(data.buffer);
    expect(view.getUint16(166, true)).toBe(1);
    expect(view.getUint16(168, true)).toBe(108);
    // older fee at value + 72: epoch, maximum fee, basis points; newer 18 bytes on.
    expect(view.getBigUint64(170 + 72 + 8, true)).toBe(10n);
    expect(view.getUint16(170 + 90 + 16, true)).toBe(1);
    expect(decodeMint(data, TOKEN_2022_PROGRAM, 'm')).toEqual({
      program: TOKEN_2022_PROGRAM,
      decimals: 9,
      transferFee: config,
    });
  });

  it('accepts a Token-2022 mint whose extensions do not change a transfer, and trailing room', () => {
    const data = encodeMint({
      program: TOKEN_2022_PROGRAM,
      decimals: 6,
      extensions: [
        { name: 'MetadataPointer', value: new Uint8Array(64) },
        { name: 'TokenMetadata', value: new Uint8Array(90) },
        { name: 'InterestBearingConfig', value: new Uint8Array(52) },
      ],
      slack: 3,
    });
    expect(decodeMint(data, TOKEN_2022_PROGRAM, 'm').transferFee).toBeNull();
    expect(decodeMint(data.subarray(0, 82), TOKEN_2022_PROGRAM, 'm').decimals).toBe(6);
  });

  it('refuses a mint with extensions it does not model, naming each', () => {
    const data = encodeMint({
      program: TOKEN_2022_PROGRAM,
      decimals: 6,
      transferFee: config,
      extensions: [
        { name: 'TransferHook', value: new Uint8Array(64) },
        { name: 'PermanentDelegate', value: new Uint8Array(32) },
      ],
    });
    const err = thrown(() => decodeMint(data, TOKEN_2022_PROGRAM, 'mint X'));
    expect(isLandfallError(err, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
    expect((err as Error).message).toMatch(
      /mint X: .*not modelled: TransferHook, PermanentDelegate/,
    );
    const pausable = encodeMint({
      program: TOKEN_2022_PROGRAM,
      decimals: 6,
      extensions: [{ name: 'Pausable', value: new Uint8Array(33) }],
    });
    expect(() => decodeMint(pausable, TOKEN_2022_PROGRAM, 'm')).toThrow(/Pausable/);
    const unknown = new Uint8Array(data.length);
    unknown.set(data);
    new DataView(unknown.buffer).setUint16(166, 77, true);
    expect(() => decodeMint(unknown, TOKEN_2022_PROGRAM, 'm')).toThrow(/unknown extension type 77/);
  });

  it('refuses bytes that are not an initialised mint of either program', () => {
    const spl = encodeMint({ program: TOKEN_PROGRAM, decimals: 6 });
    expect(() => decodeMint(spl, 'Stake11111111111111111111111111111111111111', 'm')).toThrow(
      /neither the SPL Token nor the Token-2022 program/,
    );
    expect(() => decodeMint(new Uint8Array(165), TOKEN_PROGRAM, 'm')).toThrow(/cannot hold 165/);
    const uninitialised = new Uint8Array(spl);
    uninitialised[45] = 0;
    expect(() => decodeMint(uninitialised, TOKEN_PROGRAM, 'm')).toThrow(/not initialised/);
    const t22 = encodeMint({ program: TOKEN_2022_PROGRAM, decimals: 6, transferFee: config });
    const asAccount = new Uint8Array(t22);
    asAccount[165] = 2;
    expect(() => decodeMint(asAccount, TOKEN_2022_PROGRAM, 'm')).toThrow(/not a mint/);
    const dirty = new Uint8Array(t22);
    dirty[100] = 1;
    expect(() => decodeMint(dirty, TOKEN_2022_PROGRAM, 'm')).toThrow(/padding/);
    expect(() => decodeMint(t22.subarray(0, 200), TOKEN_2022_PROGRAM, 'm')).toThrow(
      /runs past the account/,
    );
    const badBps = transferFeeConfigBytes({ ...config, newerTransferFee: fee(10_001, 1n) });
    const over = new Uint8Array(t22);
    over.set(badBps, 170);
    expect(() => decodeMint(over, TOKEN_2022_PROGRAM, 'm')).toThrow(/exceeds 100 %/);
  });
});

describe('transfer fee maths (spl-token-2022 transfer_fee/mod.rs)', () => {
  it('picks the older fee before the newer one takes effect', () => {
    expect(epochFee(config, 99n)).toBe(config.olderTransferFee);
    expect(epochFee(config, 100n)).toBe(config.newerTransferFee);
    const mint = { program: TOKEN_2022_PROGRAM, decimals: 6, transferFee: config };
    expect(transferFeeOf(mint, 99n, 1_000n)).toBe(10n);
    expect(transferFeeOf(mint, 100n, 1_000n)).toBe(1n);
    expect(transferFeeOf({ ...mint, transferFee: null }, 100n, 1_000n)).toBe(0n);
  });

  it("agrees with the program's own unit-test values", () => {
    const f = fee(1, 5_000n);
    expect(calculateFee(f, U64_MAX)).toBe(5_000n);
    expect(calculateFee(f, 5_000n * 10_000n - 1n)).toBe(5_000n);
    expect(calculateFee(f, 1n)).toBe(1n);
    expect(calculateFee(f, 10_000n)).toBe(1n);
    expect(calculateFee(f, 10_001n)).toBe(2n);
    expect(calculateFee(f, 0n)).toBe(0n);
    expect(calculateFee(fee(0, U64_MAX), U64_MAX)).toBe(0n);
    expect(calculateFee(fee(10_000, 0n), U64_MAX)).toBe(0n);
    expect(calculateInverseFee(f, U64_MAX - 5_000n)).toBe(5_000n);
    expect(calculateInverseFee(f, 5_000n * 10_000n - 5_000n + 1n)).toBe(5_000n);
    expect(calculateInverseFee(f, 1n)).toBe(1n);
    const full = fee(10_000, 5_000n);
    expect(calculatePreFeeAmount(full, 0n)).toBe(0n);
    expect(calculatePreFeeAmount(full, 1n)).toBe(5_001n);
    expect(calculatePreFeeAmount(fee(0, 5_000n), 1n)).toBe(1n);
    // The pre-fee amount would not fit a u64: the program returns None.
    expect(calculatePreFeeAmount(fee(5_000, U64_MAX), U64_MAX)).toBeNull();
  });

  it('the pre-fee amount nets at least the target, and the inverse fee never exceeds the fee', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9_999 }),
        fc.bigInt({ min: 0n, max: U64_MAX }),
        fc.bigInt({ min: 0n, max: U64_MAX }),
        (bps, maximumFee, amount) => {
          const f = fee(bps, maximumFee);
          const charged = calculateFee(f, amount);
          const inverse = calculateInverseFee(f, amount - charged);
          expect(inverse).not.toBeNull();
          expect(charged >= (inverse as bigint)).toBe(true);
          const pre = calculatePreFeeAmount(f, amount);
          if (pre !== null) expect(pre - calculateFee(f, pre) >= amount).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
