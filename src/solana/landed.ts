import { WSOL_MINT } from '../market/types.js';
import type { JsonRpcClient } from './json-rpc.js';

/**
 * What a landed transaction did to the wallet, read back with `getTransaction`: the change of
 * the payer's wrapped-SOL token balances plus the change of its SOL balance (which already
 * carries the fee). That is the realised profit in lamports, exact, whatever the legs did.
 */
interface TokenBalance {
  readonly mint: string;
  readonly owner?: string;
  readonly uiTokenAmount: { readonly amount: string };
}

interface TransactionMeta {
  readonly err: unknown;
  readonly fee: number;
  readonly preBalances: number[];
  readonly postBalances: number[];
  readonly preTokenBalances?: TokenBalance[];
  readonly postTokenBalances?: TokenBalance[];
}

export interface LandedEffect {
  readonly slot: number;
  readonly err: unknown;
  readonly feeLamports: bigint;
  /** Wrapped SOL and SOL gained by the payer, fee included. */
  readonly profitLamports: bigint;
}

export async function landedEffect(
  rpc: JsonRpcClient,
  signature: string,
  payer: string,
): Promise<LandedEffect | null> {
  const tx = await rpc.call<{ slot: number; meta: TransactionMeta | null } | null>(
    'getTransaction',
    [signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }],
  );
  if (tx === null || tx.meta === null) return null;
  const m = tx.meta;
  const wsol = (rows: TokenBalance[] | undefined) =>
    (rows ?? [])
      .filter((r) => r.mint === WSOL_MINT && r.owner === payer)
      .reduce((sum, r) => sum + BigInt(r.uiTokenAmount.amount), 0n);
  // The fee payer is account 0 of every transaction Landfall signs.
  const sol = BigInt(m.postBalances[0] ?? 0) - BigInt(m.preBalances[0] ?? 0);
  return {
    slot: tx.slot,
    err: m.err,
    feeLamports: BigInt(m.fee),
    profitLamports: wsol(m.postTokenBalances) - wsol(m.preTokenBalances) + sol,
  };
}
