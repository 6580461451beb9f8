import {
  type Address,
  type Base58EncodedBytes,
  type Commitment,
  getBase64Encoder,
} from '@solana/kit';
import { LandfallError } from '../errors.js';
import { sleep } from './json-rpc.js';
import { ADDRESS_LOOKUP_TABLE_PROGRAM } from './lookup-table.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import type { SetupChain } from './wallet-setup.js';

/**
 * The wallet setup's chain port over the Solana RPC. A setup transaction is sent with preflight
 * (it is not racing anyone) and followed with `getSignatureStatuses` until confirmed; a new
 * lookup table's recent slot is a finalized one, which every bank's SlotHashes holds.
 */
export interface RpcSetupChainOptions {
  readonly commitment: Commitment;
  readonly confirmTimeoutMs: number;
  readonly pollMs: number;
}

/** Where the table's authority sits: after the u32 tag, two u64 slots, a u8 and the Some tag. */
const AUTHORITY_OFFSET = 22n;
const base64 = getBase64Encoder();

export function rpcSetupChain(client: SolanaRpcClient, options: RpcSetupChainOptions): SetupChain {
  const { rpc } = client;
  return {
    async account(address) {
      const res = await rpc
        .getMultipleAccounts([address], { encoding: 'base64', commitment: options.commitment })
        .send();
      const a = res.value[0];
      if (a === null || a === undefined) return null;
      return { owner: a.owner, data: new Uint8Array(base64.encode(a.data[0])) };
    },
    async recentSlot() {
      return rpc.getSlot({ commitment: 'finalized' }).send();
    },
    async lifetime() {
      const res = await rpc.getLatestBlockhash({ commitment: options.commitment }).send();
      return res.value;
    },
    async send(tx) {
      await rpc
        .sendTransaction(tx.base64, {
          encoding: 'base64',
          preflightCommitment: options.commitment,
        })
        .send();
      const deadline = Date.now() + options.confirmTimeoutMs;
      while (Date.now() < deadline) {
        await sleep(options.pollMs);
        const status = (await rpc.getSignatureStatuses([tx.signature]).send()).value[0];
        if (status === null || status === undefined) continue;
        if (status.err !== null) {
          throw new LandfallError(
            'LF_SOLANA_RPC',
            `wallet setup transaction ${tx.signature} failed: ${JSON.stringify(status.err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
          );
        }
        if (status.confirmationStatus !== 'processed') return;
      }
      throw new LandfallError(
        'LF_SOLANA_TIMEOUT',
        `wallet setup transaction ${tx.signature} not confirmed within ${options.confirmTimeoutMs} ms: run the setup again (it is idempotent)`,
      );
    },
    async lookupTables(authority: Address) {
      const res = await rpc
        .getProgramAccounts(ADDRESS_LOOKUP_TABLE_PROGRAM, {
          encoding: 'base64',
          commitment: options.commitment,
          dataSlice: { offset: 0, length: 0 },
          filters: [
            {
              memcmp: {
                offset: AUTHORITY_OFFSET,
                bytes: authority as unknown as Base58EncodedBytes,
                encoding: 'base58',
              },
            },
          ],
        })
        .send();
      return res.map((a) => a.pubkey);
    },
  };
}
