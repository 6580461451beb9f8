import { describe, expect, it } from 'vitest';
import { AccountBook, type AccountUpdate, type Origin } from './account-book.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const update = (
  slot: number,
  data: Uint8Array,
  origin: Origin = 'notification',
): AccountUpdate => ({
  slot,
  data,
  owner: 'Tokenkeg',
  origin,
});

/** A book of byte sums, counting how often it decodes. */
function book() {
  const decoded: number[] = [];
  const b = new AccountBook<number>();
  const put = (u: AccountUpdate) =>
    b.put('acct', u, () => {
      const v = u.data.reduce((s, x) => s + x, 0);
      decoded.push(v);
      return v;
    });
  return { b, put, decoded };
}

describe('account book', () => {
  it('keeps each account monotone in slot: older updates are ignored, duplicates are no-ops', () => {
    const { b, put, decoded } = book();
    expect(put(update(10, bytes(1)))).toBe('changed');
    expect(put(update(9, bytes(2)))).toBe('ignored');
    expect(put(update(10, bytes(1)))).toBe('ignored');
    expect(put(update(12, bytes(3), 'read'))).toBe('changed');
    expect(put(update(11, bytes(1)))).toBe('ignored');
    expect(b.get('acct')).toMatchObject({ slot: 12, value: 3, origin: 'read' });
    expect(decoded).toEqual([1, 3]);
  });

  it('the same bytes at a later slot confirm without decoding again', () => {
    const { b, put, decoded } = book();
    put(update(10, bytes(4), 'read'));
    expect(put(update(15, bytes(4), 'read'))).toBe('confirmed');
    expect(b.get('acct')).toMatchObject({ slot: 15, value: 4 });
    expect(decoded).toEqual([4]);
    // Another owner is another account state, even with the same bytes.
    expect(put({ ...update(16, bytes(4), 'read'), owner: 'Tokenz' })).toBe('changed');
  });

  it('within one slot a read never replaces a notification; a notification replaces a read', () => {
    const { b, put } = book();
    put(update(20, bytes(5), 'read'));
    expect(put(update(20, bytes(6)))).toBe('changed');
    expect(put(update(20, bytes(5), 'read'))).toBe('ignored');
    expect(b.get('acct')).toMatchObject({ slot: 20, value: 6, origin: 'notification' });
    // Bytes a read gave, then a notification of the same bytes: it is the slot's final word.
    put(update(21, bytes(7), 'read'));
    expect(put(update(21, bytes(7)))).toBe('ignored');
    expect(put(update(21, bytes(8), 'read'))).toBe('ignored');
    // Two reads at one slot: the later answer wins.
    put(update(22, bytes(1), 'read'));
    expect(put(update(22, bytes(2), 'read'))).toBe('changed');
    expect(b.get('acct')?.value).toBe(2);
  });

  it('a decode that throws leaves the book as it was', () => {
    const b = new AccountBook<number>();
    b.put('acct', update(1, bytes(1)), () => 1);
    expect(() =>
      b.put('acct', update(2, bytes(2)), () => {
        throw new Error('bad bytes');
      }),
    ).toThrow('bad bytes');
    expect(b.get('acct')).toMatchObject({ slot: 1, value: 1 });
  });
});
