import type { Address, Blockhash } from '@solana/kit';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Submission, type SwapLeg, WSOL_MINT } from '../market/types.js';
import { liveConfigSchema } from './config.js';
import { loadWallet, type Wallet } from './keypair.js';
import { type LivePool, legMints } from './live-pool.js';
import { type Prepared, SubmissionPipeline } from './pipeline.js';
import { RAYDIUM_CP_PROGRAM } from './raydium-cp-layout.js';
import { SafetyGate } from './safety.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import { type CrossVenuePools, crossVenuePools } from './testing/cross-venue-fixtures.js';
import { solanaKeypairJson } from './testing/testbed.js';
import { COMPUTE_BUDGET_PROGRAM, decodeWire, SYSTEM_PROGRAM } from './testing/wire.js';
import { fixtureKey } from './venues/raydium-amm-v4/fixture.js';
import { RAYDIUM_AMM_V4_PROGRAM } from './venues/raydium-amm-v4/layout.js';
import type { PoolDirectory } from './watched-pools.js';

/**
 * The live pipeline on a cycle across venues: validated against the watched pools of any venue,
 * planned on each venue's exact quote, checked by the safety gate (the WSOL it spends read from
 * the first leg's venue), and signed as one transaction whose last leg carries the profit guard.
 * The RPC answers a blockhash and a sizing simulation; nothing is sent.
 */
const SOL = 1_000_000_000n;
const MARGIN = 10_000n;
const UNITS = 260_000;
const NOW_MS = 1_750_000_000_000;

let pools: CrossVenuePools;
let wallet: Wallet;

beforeAll(async () => {
  pools = await crossVenuePools();
  wallet = await loadWallet({ keypairEnv: 'K' }, { K: solanaKeypairJson() });
});

function pipelineOn(route: readonly LivePool[]): SubmissionPipeline {
  const byId = new Map(route.map((p) => [p.address as string, p]));
  const directory: PoolDirectory = {
    pool: () => undefined,
    livePool: (id) => byId.get(id),
    untradable: (id) => (byId.has(id) ? null : `pool ${id} is not watched`),
  };
  const rpc = {
    url: 'stub',
    stats: { requests: 0, rateLimited: 0, errors: 0 },
    rpc: {
      getLatestBlockhash: () => ({
        send: async () => ({
          value: {
            blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi' as Blockhash,
            lastValidBlockHeight: 1_000n,
          },
        }),
      }),
      simulateTransaction: () => ({
        send: async () => ({ value: { err: null, logs: [], unitsConsumed: BigInt(UNITS) } }),
      }),
    },
  } as unknown as SolanaRpcClient;
  const clock = { now: () => NOW_MS, schedule: () => () => undefined };
  const log = pino({ level: 'silent' });
  const safety = new SafetyGate({
    caps: liveConfigSchema.parse({}).caps,
    pools: directory,
    clock,
    log,
    spendable: async () => ({ solLamports: 10n * SOL, wsolLamports: 10n * SOL }),
    modules: ['arb'],
  });
  return new SubmissionPipeline({
    rpc,
    wallet,
    pools: directory,
    safety,
    clock,
    log,
    computeUnitMargin: 0.15,
    commitment: 'processed',
    profitMarginLamports: MARGIN,
    chainToleranceBps: 1,
    blockhashRefreshMs: 3_600_000,
    tipAccount: async () => fixtureKey(201),
  });
}

function cycle(route: readonly LivePool[], tipLamports: bigint): Submission {
  let mint = WSOL_MINT as Address;
  const legs: SwapLeg[] = route.map((pool, i) => {
    const direction = pool.mintA === mint ? 'aToB' : 'bToA';
    mint = legMints(pool, direction)[1];
    return {
      pool: pool.address,
      direction,
      amountIn: i === 0 ? SOL : 'previous',
      minAmountOut: 0n,
    };
  });
  return {
    id: `x-${tipLamports}`,
    opportunityId: `x-${tipLamports}`,
    module: 'arb',
    route: 'jito',
    legs,
    tipLamports,
    priorityFeeMicroLamports: 10_000n,
    computeUnitLimit: 400_000,
    transactions: 1,
    signatures: 1,
  };
}

describe('submission pipeline across venues', () => {
  it('signs CP-Swap → AMM v4 → CP-Swap with the last leg guarded to input + tip + fee + margin', async () => {
    const route = [pools.cpHigh, pools.ammX, pools.cpX];
    const tip = 250_000n;
    const begun = await pipelineOn(route).begin(cycle(route, tip));
    expect(begun).toHaveProperty('prepared');
    const { swap, finalMinOut } = (begun as { prepared: Prepared }).prepared;
    expect(finalMinOut).toBe(SOL + tip + swap.feeLamports + MARGIN);
    const wire = decodeWire(swap.base64);
    expect(wire.instructions.map((i) => i.program)).toEqual([
      COMPUTE_BUDGET_PROGRAM,
      COMPUTE_BUDGET_PROGRAM,
      RAYDIUM_CP_PROGRAM,
      RAYDIUM_AMM_V4_PROGRAM,
      RAYDIUM_CP_PROGRAM,
      SYSTEM_PROGRAM,
    ]);
    const minOut = (data: Uint8Array, at: number) =>
      new DataView(data.buffer, data.byteOffset).getBigUint64(at, true);
    const [first, second, last] = wire.instructions.slice(2, 5).map((i) => i.data) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    // Each chained minimum is the next leg's input (CP: 8-byte discriminator first; AMM v4: a tag).
    expect(minOut(first, 16)).toBe(minOut(second, 1));
    expect(minOut(second, 9)).toBe(minOut(last, 8));
    expect(minOut(last, 16)).toBe(finalMinOut);
    expect(wire.unitLimit).toBe(Math.ceil(UNITS * 1.15));
  });

  it('a cycle that would not pay its tip is not sent (market_condition)', async () => {
    const route = [pools.cpHigh, pools.ammX, pools.cpX];
    const begun = await pipelineOn(route).begin(cycle(route, SOL / 10n));
    expect(begun).toHaveProperty('outcome');
    expect((begun as { outcome: { failure: string } }).outcome.failure).toBe('market_condition');
  });
});
