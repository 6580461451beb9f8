import type { Address, Signature, TokenBalance } from '@solana/kit';
import { WSOL_MINT } from '../market/types.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * What a landed transaction did to the wallet, read back with `getTransaction`: the change of
 * the payer's wrapped-SOL token balances plus the change of its SOL balance (which already
 * carries the fee). That is the realised profit in lamports, exact, whatever the legs did.
 */
export interface LandedEffect {
  readonly slot: number;
  readonly err: unknown;
  readonly feeLamports: bigint;
  /** Wrapped SOL and SOL gained by the payer, fee included. */
  readonly profitLamports: bigint;
}

export async function landedEffect(
  rpc: SolanaRpcClient,
  signature: Signature,
  payer: Address,
): Promise<LandedEffect | null> {
  const tx = await rpc.rpc
    .getTransaction(signature, {
      encoding: 'json',
      maxSupportedTransactionVersion: 0,
      commitment: 'confirmed',
    })
    .send();
  if (tx === null || tx.meta === null) return null;
  const m = tx.meta;
  const wsol = (rows: readonly TokenBalance[] | undefined) =>
    (rows ?? [])
      .filter((r) => r.mint === WSOL_MINT && r.owner === payer)
      .reduce((sum, r) => sum + BigInt(r.uiTokenAmount.amount), 0n);
  // The fee payer is account 0 of every transaction Landfall signs.
  const sol = (m.postBalances[0] ?? 0n) - (m.preBalances[0] ?? 0n);
  return {
    slot: Number(tx.slot),
    err: m.err,
    feeLamports: m.fee,
    profitLamports: wsol(m.postTokenBalances) - wsol(m.preTokenBalances) + sol,
  };
}
