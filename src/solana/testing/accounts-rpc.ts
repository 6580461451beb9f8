import type { Address } from '@solana/kit';
import type { SolanaRpcClient } from '../solana-rpc.js';

/**
 * An RPC client that answers only `getMultipleAccounts`, from a map of account bytes at one slot:
 * an address the map lacks is answered `null`, as a node answers an account that does not exist.
 * For `readPools` tests that need no cluster.
 */
export interface AccountsRpc {
  readonly client: SolanaRpcClient;
  slot: number;
  readonly accounts: Map<Address, Uint8Array>;
  /** The addresses of each request, in order. */
  readonly requests: Address[][];
}

export function accountsRpc(
  accounts: Map<Address, Uint8Array>,
  ownerOf: (address: Address) => string,
  slot: number,
): AccountsRpc {
  const requests: Address[][] = [];
  const state: AccountsRpc = {
    accounts,
    slot,
    requests,
    client: {
      url: 'memory:',
      stats: {},
      rpc: {
        getMultipleAccounts: (addresses: Address[]) => ({
          send: async () => {
            requests.push([...addresses]);
            return {
              context: { slot: BigInt(state.slot) },
              value: addresses.map((a) => {
                const data = state.accounts.get(a);
                if (data === undefined) return null;
                return {
                  data: [Buffer.from(data).toString('base64'), 'base64'],
                  owner: ownerOf(a),
                };
              }),
            };
          },
        }),
      },
    } as unknown as SolanaRpcClient,
  };
  return state;
}
