/**
 * Every watched account as the live source last learned it: its data, owner and decoded value,
 * and the slot it is known at. Updates come from two places that race each other, account
 * notifications and RPC re-reads, so the book keeps each account monotone in slot: an update
 * older than what it holds is ignored, the same bytes again are a no-op (or, at a later slot, a
 * confirmation that moves the account's slot forward), and only different bytes are decoded.
 *
 * Within one slot the two sources are not equal. A notification reports the account as its slot
 * left it; a read served at the same slot under `processed` commitment may have been taken while
 * the slot was still being replayed. So at an equal slot a read never replaces what a
 * notification said, while a notification replaces a read (and a later read replaces an earlier
 * one: arrival order is the only order left).
 */
export type Origin = 'notification' | 'read';

export interface AccountUpdate {
  readonly slot: number;
  readonly data: Uint8Array;
  readonly owner: string;
  readonly origin: Origin;
}

export interface AccountRecord<V> extends AccountUpdate {
  readonly value: V;
}

/**
 * What `put` did: `changed` — new bytes, decoded and held; `confirmed` — the same bytes known at
 * a later slot; `ignored` — older than, or a duplicate of, what the book holds.
 */
export type PutOutcome = 'changed' | 'confirmed' | 'ignored';

export class AccountBook<V> {
  private readonly records = new Map<string, AccountRecord<V>>();

  get(address: string): AccountRecord<V> | undefined {
    return this.records.get(address);
  }

  /**
   * Offers one account's update. `decode` runs only for new bytes and gets the record held so
   * far (for an incremental decode); if it throws, the book is unchanged and the error goes to the
   * caller. The book keeps `update.data` without copying: the caller must not reuse the buffer.
   */
  put(
    address: string,
    update: AccountUpdate,
    decode: (held: AccountRecord<V> | undefined) => V,
  ): PutOutcome {
    const held = this.records.get(address);
    if (held !== undefined) {
      if (update.slot < held.slot) return 'ignored';
      const same = held.owner === update.owner && equalBytes(held.data, update.data);
      if (update.slot === held.slot) {
        if (same) {
          // A notification for bytes a read already gave: remember the slot's final word.
          if (update.origin === 'notification' && held.origin === 'read')
            this.records.set(address, { ...held, origin: 'notification' });
          return 'ignored';
        }
        if (update.origin === 'read' && held.origin === 'notification') return 'ignored';
      } else if (same) {
        this.records.set(address, { ...held, slot: update.slot, origin: update.origin });
        return 'confirmed';
      }
    }
    const value = decode(held);
    const { slot, data, owner, origin } = update;
    this.records.set(address, { slot, data, owner, origin, value });
    return 'changed';
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
