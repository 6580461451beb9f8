import { createHash } from 'node:crypto';
import { getBase58Decoder } from '@solana/kit';
import { WSOL_MINT } from '../../market/types.js';
import { RAYDIUM_CP_PROGRAM } from '../raydium-cp-layout.js';
import type { LocalCluster } from './local-cluster.js';
import { type DecodedTransaction, decodeWire, feeOf, SYSTEM_PROGRAM, unitsOf } from './wire.js';

/**
 * The JSON-RPC methods of the local cluster, in the shapes the Solana RPC and Jito block-engine
 * documentation give. Pure functions of the cluster's state and knobs (see local-cluster.ts).
 */
export type RpcReply =
  | { result: unknown }
  | { error: { code: number; message: string; data?: unknown } };

const MIN_TIP = 1_000n;
const b58 = getBase58Decoder();

export function handleRpc(
  c: LocalCluster,
  path: string,
  method: string,
  params: unknown[],
): RpcReply {
  const failure = c.takeFailure(method);
  if (failure !== undefined) return { error: failure };
  const context = { slot: c.slot, apiVersion: '2.1.21' };
  const ok = (result: unknown): RpcReply => ({ result });
  const bad = (message: string): RpcReply => ({ error: { code: -32602, message } });
  if (path === '/api/v1/bundles') return blockEngine(c, method, params, context);
  switch (method) {
    case 'getSlot':
      return ok(c.slot);
    case 'getLatestBlockhash':
      return ok({
        context,
        value: { blockhash: blockhashOf(c.slot), lastValidBlockHeight: c.slot + 150 },
      });
    case 'getBalance':
      return ok({ context, value: Number(c.balanceLamports) });
    case 'getMultipleAccounts': {
      const read = c.readView();
      const min = (params[1] as { minContextSlot?: number } | undefined)?.minContextSlot;
      if (min !== undefined && read.slot < min)
        return {
          error: {
            code: -32016,
            message: 'Minimum context slot has not been reached',
            data: { contextSlot: read.slot },
          },
        };
      return ok({
        context: { ...context, slot: read.slot },
        value: (params[0] as string[]).map((a) => read.value(a)),
      });
    }
    case 'getEpochSchedule':
      // Mainnet's shape (no warmup); the epoch's length is the cluster's (`slotsPerEpoch`).
      return ok({
        firstNormalEpoch: 0,
        firstNormalSlot: 0,
        leaderScheduleSlotOffset: c.slotsPerEpoch,
        slotsPerEpoch: c.slotsPerEpoch,
        warmup: false,
      });
    case 'getEpochInfo':
      return ok({
        absoluteSlot: c.slot,
        blockHeight: c.slot,
        epoch: Math.floor(c.slot / c.slotsPerEpoch),
        slotIndex: c.slot % c.slotsPerEpoch,
        slotsInEpoch: c.slotsPerEpoch,
        transactionCount: null,
      });
    case 'getLeaderSchedule': {
      // The epoch of the slot asked (the current one for null), as each identity's slot indices
      // relative to the epoch's first slot; null past the next epoch, which is not fixed yet.
      const asked = (params[0] as number | null | undefined) ?? c.slot;
      const epoch = Math.floor(asked / c.slotsPerEpoch);
      if (epoch > Math.floor(c.slot / c.slotsPerEpoch) + 1) return ok(null);
      const first = epoch * c.slotsPerEpoch;
      const schedule: Record<string, number[]> = {};
      for (let i = 0; i < c.slotsPerEpoch; i++) {
        const leader = c.leaderOf(first + i);
        const slots = schedule[leader] ?? [];
        slots.push(i);
        schedule[leader] = slots;
      }
      return ok(schedule);
    }
    case 'getSlotLeaders': {
      const [start, limit] = params as [number, number];
      return ok(Array.from({ length: limit }, (_, i) => c.leaderOf(start + i)));
    }
    case 'getVoteAccounts':
      return ok({
        current: c.voteAccounts.map((v) => ({
          ...v,
          activatedStake: 1_000_000_000,
          commission: 5,
          epochCredits: [],
          epochVoteAccount: true,
          lastVote: c.slot,
          rootSlot: c.slot - 32,
        })),
        delinquent: [],
      });
    case 'getRecentPrioritizationFees':
      return ok(
        Array.from({ length: 150 }, (_, i) => ({
          slot: c.slot - 150 + i,
          prioritizationFee: i % 3 === 0 ? 0 : 1_000 * (i % 10),
        })),
      );
    case 'simulateTransaction':
      return ok({ context, value: simulate(c, decodeWire(params[0] as string)) });
    case 'simulateBundle': {
      // Jito-Solana's RpcSimulateBundleConfig names the transactions' encoding.
      const config = params[1] as { transactionEncoding?: string } | undefined;
      if (config?.transactionEncoding !== 'base64')
        return bad('simulateBundle: this node expects transactionEncoding base64');
      const txs = (params[0] as { encodedTransactions: string[] }).encodedTransactions.map(
        decodeWire,
      );
      const results = txs.map((t) => simulate(c, t));
      const failed = results.findIndex((r) => r.err !== null);
      const summary =
        failed < 0
          ? 'succeeded'
          : { failed: { error: results[failed]?.err, tx_signature: txs[failed]?.signature } };
      return ok({ context, value: { summary, transactionResults: results } });
    }
    case 'sendTransaction': {
      const cfg = params[1] as { encoding?: string; skipPreflight?: boolean; maxRetries?: number };
      if (cfg?.encoding !== 'base64')
        return bad('sendTransaction: this node expects encoding base64');
      const tx = decodeWire(params[0] as string);
      c.sent.push({ base64: params[0] as string, signature: tx.signature, via: 'sendTransaction' });
      c.signatures.set(tx.signature, {
        polls: 0,
        fate: c.signatureFate,
        slot: c.slot + 1,
        fee: feeOf(tx),
        base64: params[0] as string,
      });
      return ok(tx.signature);
    }
    case 'getSignatureStatuses':
      return ok({ context, value: (params[0] as string[]).map((s) => signatureStatus(c, s)) });
    case 'getTransaction':
      return ok(transaction(c, params[0] as string));
    default:
      return { error: { code: -32601, message: 'Method not found' } };
  }
}

function blockEngine(
  c: LocalCluster,
  method: string,
  params: unknown[],
  context: object,
): RpcReply {
  const ok = (result: unknown): RpcReply => ({ result });
  switch (method) {
    case 'getTipAccounts':
      return ok(c.tipAccounts);
    case 'sendBundle': {
      const txs = params[0] as string[];
      if (!Array.isArray(txs) || txs.length === 0 || txs.length > 5) {
        return { error: { code: -32602, message: 'bundle must contain 1 to 5 transactions' } };
      }
      const decoded = txs.map(decodeWire);
      const tip = decoded.reduce((sum, t) => sum + tipPaid(c, t), 0n);
      if (tip < MIN_TIP)
        return {
          error: {
            code: -32602,
            message: `bundle must tip at least ${MIN_TIP} lamports to a tip account`,
          },
        };
      const id = createHash('sha256')
        .update(decoded.map((t) => t.signature).join(','))
        .digest('hex');
      c.bundles.set(id, {
        signatures: decoded.map((t) => t.signature),
        polls: 0,
        fate: c.bundleFate,
        slot: c.slot + 1,
      });
      decoded.forEach((t, i) => {
        c.sent.push({ base64: txs[i] as string, signature: t.signature, via: 'sendBundle' });
        if (c.bundleFate === 'land')
          c.signatures.set(t.signature, {
            polls: 99,
            fate: 'land',
            slot: c.slot + 1,
            fee: feeOf(t),
            base64: txs[i] as string,
          });
      });
      return ok(id);
    }
    case 'getInflightBundleStatuses':
      return ok({
        context,
        value: (params[0] as string[]).map((id) => {
          const b = c.bundles.get(id);
          if (b === undefined) return { bundle_id: id, status: 'Invalid', landed_slot: null };
          b.polls++;
          const decided = b.polls > c.pollsToDecide && b.fate !== 'pending';
          const status = !decided ? 'Pending' : b.fate === 'land' ? 'Landed' : 'Failed';
          return { bundle_id: id, status, landed_slot: status === 'Landed' ? b.slot : null };
        }),
      });
    case 'getBundleStatuses':
      return ok({
        context,
        value: (params[0] as string[]).map((id) => {
          const b = c.bundles.get(id);
          if (b === undefined || b.fate !== 'land') return null;
          return {
            bundle_id: id,
            transactions: b.signatures,
            slot: b.slot,
            confirmation_status: 'confirmed',
            err: { Ok: null },
          };
        }),
      });
    default:
      return { error: { code: -32601, message: 'Method not found' } };
  }
}

function simulate(c: LocalCluster, tx: DecodedTransaction) {
  const units = unitsOf(tx, RAYDIUM_CP_PROGRAM);
  const limit = tx.unitLimit ?? 200_000;
  if (units > limit) {
    return {
      err: { InstructionError: [tx.instructions.length - 1, 'ComputationalBudgetExceeded'] },
      logs: [],
      accounts: null,
      unitsConsumed: limit,
      returnData: null,
    };
  }
  return {
    err: c.simulationError,
    logs: [],
    accounts: null,
    unitsConsumed: units,
    returnData: null,
  };
}

function tipPaid(c: LocalCluster, tx: DecodedTransaction): bigint {
  let sum = 0n;
  for (const ix of tx.instructions) {
    if (ix.program !== SYSTEM_PROGRAM || ix.data.length !== 12 || ix.data[0] !== 2) continue;
    if (!c.tipAccounts.includes(ix.accounts[1] as string)) continue;
    sum += new DataView(ix.data.buffer, ix.data.byteOffset).getBigUint64(4, true);
  }
  return sum;
}

function signatureStatus(c: LocalCluster, signature: string) {
  const s = c.signatures.get(signature);
  if (s === undefined || s.fate === 'pending' || s.fate === 'fail') return null;
  s.polls++;
  const err = s.fate === 'revert' ? { InstructionError: [2, { Custom: 6005 }] } : null;
  const confirmationStatus = s.polls > c.pollsToDecide ? 'confirmed' : 'processed';
  return {
    slot: s.slot,
    confirmations: 0,
    err,
    status: err === null ? { Ok: null } : { Err: err },
    confirmationStatus,
  };
}

function transaction(c: LocalCluster, signature: string) {
  const s = c.signatures.get(signature);
  if (s === undefined || s.fate === 'pending' || s.fate === 'fail') return null;
  const tx = decodeWire(s.base64);
  const err = s.fate === 'revert' ? { InstructionError: [2, { Custom: 6005 }] } : null;
  const balance = Number(c.balanceLamports);
  const wsol = (amount: bigint) => [
    {
      accountIndex: 1,
      mint: WSOL_MINT,
      owner: tx.feePayer,
      programId: 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
      uiTokenAmount: {
        amount: amount.toString(),
        decimals: 9,
        uiAmount: Number(amount) / 1e9,
        uiAmountString: String(Number(amount) / 1e9),
      },
    },
  ];
  const gain =
    err === null && tx.instructions.some((i) => i.program === RAYDIUM_CP_PROGRAM)
      ? c.swapGainLamports
      : 0n;
  return {
    slot: s.slot,
    blockTime: 1_764_000_000,
    meta: {
      err,
      fee: Number(s.fee),
      preBalances: [balance],
      // A tip transferred inside the transaction leaves the payer's SOL balance with the fee.
      postBalances: [balance - Number(s.fee) - Number(err === null ? tipPaid(c, tx) : 0n)],
      preTokenBalances: wsol(5_000_000_000n),
      postTokenBalances: wsol(5_000_000_000n + gain),
      logMessages: [],
      computeUnitsConsumed: unitsOf(tx, RAYDIUM_CP_PROGRAM),
    },
    transaction: { signatures: [signature], message: { accountKeys: [tx.feePayer] } },
    version: 0,
  };
}

function blockhashOf(slot: number): string {
  return b58.decode(createHash('sha256').update(`slot-${slot}`).digest());
}
