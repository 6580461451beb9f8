import { type Address, lamports } from '@solana/kit';
import { FailedTransactionMetadata, type LiteSVM } from 'litesvm';
import { ADDRESS_LOOKUP_TABLE_PROGRAM, decodeLookupTable } from '../lookup-table.js';
import type { Lifetime, SignedTransaction } from '../transactions.js';
import type { SetupChain } from '../wallet-setup.js';

/**
 * The wallet setup's chain port on litesvm (the Agave runtime in-process, with the token,
 * associated-token and lookup-table programs built in), so the setup's real transactions run.
 */
export function litesvmChain(svm: LiteSVM): SetupChain & { readonly sent: SignedTransaction[] } {
  const sent: SignedTransaction[] = [];
  return {
    sent,
    async account(address) {
      const a = svm.getAccount(address);
      return a.exists ? { owner: a.programAddress, data: new Uint8Array(a.data) } : null;
    },
    // litesvm's SlotHashes holds the clock's current slot.
    recentSlot: async () => svm.getClock().slot,
    lifetime: async (): Promise<Lifetime> => ({
      blockhash: svm.latestBlockhash(),
      lastValidBlockHeight: 1_000n,
    }),
    async send(tx) {
      const result = svm.sendTransaction(tx.transaction);
      if (result instanceof FailedTransactionMetadata) {
        throw new Error(`litesvm refused ${tx.signature}: ${String(result.err())}
${result.meta().logs().join('\n')}`);
      }
      sent.push(tx);
    },
    async lookupTables(authority) {
      return svm
        .getProgramAccounts(ADDRESS_LOOKUP_TABLE_PROGRAM)
        .filter((a) => decodeLookupTable(new Uint8Array(a.data), a.address).authority === authority)
        .map((a) => a.address);
    },
  };
}

/** Puts `data` at `address`, owned by `owner`, rent-exempt. */
export function setRaw(svm: LiteSVM, address: Address, owner: Address, data: Uint8Array): void {
  svm.setAccount({
    address,
    data,
    executable: false,
    lamports: lamports(svm.minimumBalanceForRentExemption(BigInt(data.length))),
    programAddress: owner,
    space: BigInt(data.length),
  });
}
