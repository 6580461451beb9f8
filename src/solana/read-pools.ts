import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import { ABSENT, type AccountData, type WatchedPools } from './watched-pools.js';

/**
 * Reads the accounts of `pools` into the book with `getMultipleAccounts`, each pool's accounts in
 * one request (one bank: its state and vaults at one slot), and reports the pools whose view
 * changed. Returns the newest context slot read. Both live sources read this way at start, every
 * staleAfterMs/2 and after a reconnect; between reads their subscriptions send changes.
 */
export interface ReadPoolsOptions {
  readonly rpc: SolanaRpcClient;
  readonly book: WatchedPools;
  readonly pools: readonly Address[];
  readonly commitment: 'processed' | 'confirmed';
  readonly nowMs: number;
  readonly minContextSlot?: number;
  readonly onSlot: (slot: number) => void;
  readonly onChanged: (pools: readonly Address[]) => void;
  /** A read left some pool torn (state and vaults at different slots). */
  readonly onUnsettled?: () => void;
}

interface RpcAccount {
  readonly data: readonly [string, string];
  readonly owner: string;
}

/** getMultipleAccounts takes at most 100 accounts. */
const CHUNK = 100;

export async function readPools(o: ReadPoolsOptions): Promise<number> {
  let newest = 0;
  for (const chunk of chunksOf(o.pools.map((p) => o.book.accountsOf(p)))) {
    const res = await o.rpc.rpc
      .getMultipleAccounts(chunk, {
        encoding: 'base64',
        commitment: o.commitment,
        ...(o.minContextSlot === undefined ? {} : { minContextSlot: BigInt(o.minContextSlot) }),
      })
      .send();
    const slot = Number(res.context.slot);
    o.onSlot(slot);
    newest = Math.max(newest, slot);
    const values = chunk.map((account, j) => {
      const value = res.value[j] as RpcAccount | null | undefined;
      if (value !== null && value !== undefined) {
        const data: AccountData = {
          data: Buffer.from(value.data[0], 'base64'),
          owner: value.owner,
        };
        return [account, data] as const;
      }
      // A PDA nobody has created yet (a Whirlpool's tick array, its oracle) is part of the
      // pool's state at this slot; its venue's decode refuses the empty bytes if it needs it.
      if (o.book.mayBeAbsent(account)) return [account, ABSENT] as const;
      throw new LandfallError(
        'LF_SOLANA_ACCOUNT_DECODE',
        `account ${account} does not exist (getMultipleAccounts returned null)`,
      );
    });
    const change = o.book.read(slot, values, o.nowMs);
    o.onChanged(change.changed);
    if (change.unsettled) o.onUnsettled?.();
    const [err] = change.errors;
    if (err !== undefined) throw err;
  }
  return newest;
}

/** Accounts in requests of at most CHUNK, each group (one pool's) whole in one request. */
function chunksOf(groups: readonly (readonly Address[])[]): Address[][] {
  const chunks: Address[][] = [];
  let current = new Set<Address>();
  for (const group of groups) {
    const added = group.filter((a) => !current.has(a)).length;
    if (current.size + added > CHUNK && current.size > 0) {
      chunks.push([...current]);
      current = new Set();
    }
    for (const a of group) current.add(a);
  }
  if (current.size > 0) chunks.push([...current]);
  return chunks;
}
