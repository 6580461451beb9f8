import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineWriter } from './row-encoder.js';
import type { Row } from './rows.js';

const utf8 = new TextEncoder();

/** What a line must be: the row's values as one JSON array (the encoder's first form). */
function expected(row: Row, columns: readonly string[]): Uint8Array {
  return utf8.encode(`${JSON.stringify(columns.map((c) => row[c]))}\n`);
}

function written(rows: readonly Row[], columns: readonly string[], capacity = 0): Uint8Array {
  const out = new LineWriter(capacity);
  for (const row of rows) out.line(row, columns);
  return out.bytes();
}

const boundaries = [
  0,
  -0,
  1,
  -1,
  9,
  10,
  -10,
  99,
  100,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  1e15,
  1e15 - 1,
  1e16 - 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER - 1,
  1_795_000_123_456,
];

const safeInteger = fc.oneof(
  fc.constantFrom(...boundaries),
  fc.maxSafeInteger(),
  fc.integer(),
  fc.integer({ min: -1000, max: 1000 }),
);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const value = fc.oneof(
  safeInteger,
  finite,
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e22, max: 1e22 }).map(Math.trunc),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.array(fc.oneof(safeInteger, finite, fc.string()), { maxLength: 4 }),
  // int64() past 2^53: a decimal string.
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map(String),
);

describe('LineWriter', () => {
  it('writes every safe integer as JSON does, -0 as 0', () => {
    fc.assert(
      fc.property(safeInteger, (v) => {
        expect(written([{ v }], ['v'])).toEqual(expected({ v }, ['v']));
      }),
      { numRuns: 20_000 },
    );
    for (const v of boundaries) expect(written([{ v }], ['v'])).toEqual(expected({ v }, ['v']));
    expect(new TextDecoder().decode(written([{ v: -0 }], ['v']))).toBe('[0]\n');
  });

  it('writes random rows as JSON arrays, growing from a small buffer', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }),
        fc.gen(),
        fc.nat(40),
        (columns, g, n) => {
          const rows = Array.from({ length: n }, () =>
            Object.fromEntries(columns.map((c) => [c, g(() => value)])),
          );
          const want = new Uint8Array(rows.flatMap((r) => [...expected(r, columns)]));
          expect(written(rows, columns)).toEqual(want);
          expect(written(rows, columns, 1 << 16)).toEqual(want);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses values JSON cannot carry faithfully', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => written([{ v }], ['v'])).toThrow(`v is ${v}`);
    }
    expect(() => written([{ v: null }], ['v'])).toThrow('v has no value');
    expect(() => written([{}], ['v'])).toThrow('v has no value');
  });
});
