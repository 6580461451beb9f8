import { performance } from 'node:perf_hooks';
import type { Submission } from '../../market/types.js';
import type { DryRunExecutor } from '../../solana/dry-run-executor.js';
import {
  decodePoolState,
  tokenAccountAmount,
  withPoolStateCounters,
} from '../../solana/raydium-cp-layout.js';
import { planSwaps, swapInstructions } from '../../solana/swap-plan.js';
import { type Testbed, testbed } from '../../solana/testing/testbed.js';
import { MAX_COMPUTE_UNITS, signV0, sizedUnitLimit } from '../../solana/transactions.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { measureThroughput, percentile } from '../stats.js';
import { dlmmParityRows } from './dlmm-parity.js';
import { grpcFeedRows } from './solana-grpc.js';
import { sdkParityRows } from './solana-parity.js';
import { venueParityRows } from './venue-parity.js';
import { whirlpoolParityRows } from './whirlpool-parity.js';

/**
 * The live path's own costs, on loopback so only Landfall's work is measured: decoding a
 * CP-Swap PoolState, building + signing a two-swap v0 transaction, a whole dry-run submission
 * (safety checks, blockhash, sizing simulation on a shape's first use, sign with the tip as the
 * last instruction, simulateBundle) against the local JSON-RPC cluster with its per-stage
 * latencies, and the hot path event → signed transaction with its caches warm (`hot_path.signed`)
 * beside the same work done the uncached way (`hot_path.uncached`: three RPC round trips).
 */
const SUBMISSIONS = 300;
const SIGNS = 2_000;
const HOT = 1_000;

function arb(bed: Testbed, i: number): Submission {
  const [low, high] = bed.pools;
  return {
    id: `bench-${i}`,
    opportunityId: `bench-${i}`,
    module: 'arb',
    route: i % 2 === 0 ? 'jito' : 'direct',
    legs: [
      { pool: high.address, direction: 'aToB', amountIn: 500_000_000n, minAmountOut: 0n },
      { pool: low.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 500_000_001n },
    ],
    tipLamports: i % 2 === 0 ? 100_000n : 0n,
    priorityFeeMicroLamports: i % 2 === 0 ? 0n : 50_000n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
  };
}

function usRows(name: string, samplesUs: number[]): BenchRow[] {
  return [
    { name, metric: 'p50_us', value: percentile(samplesUs, 0.5), unit: 'us' },
    { name, metric: 'p99_us', value: percentile(samplesUs, 0.99), unit: 'us' },
  ];
}

function latencyRows(name: string, samplesMs: number[]): BenchRow[] {
  return [
    { name, metric: 'p50_ms', value: percentile(samplesMs, 0.5), unit: 'ms' },
    { name, metric: 'p99_ms', value: percentile(samplesMs, 0.99), unit: 'ms' },
  ];
}

export const solanaSuite: BenchSuite = {
  name: 'solana',
  description:
    'live Solana path on loopback: PoolState decode, v0 build+sign, dry-run submission stages',
  async run(ctx: BenchContext) {
    const bed = await testbed({
      dryRun: true,
      extra: {
        tipFloorPollMs: 3_600_000,
        priorityFeePollMs: 3_600_000,
        // No background refresh inside the measured loops, so every request counted is the path's.
        blockhashRefreshMs: 3_600_000,
        caps: { maxTradeLamports: 10_000_000_000 },
      },
    });
    try {
      await bed.stack.source.start(() => undefined);
      const state = bed.pools[0].accounts.get(bed.pools[0].address) as Uint8Array;
      const decoded = decodePoolState(state, 'bench');
      const counters = measureThroughput(() => withPoolStateCounters(decoded, state, 'bench'), {
        batches: 40,
        batchSize: 20_000,
      });
      const decode = measureThroughput(() => decodePoolState(state, 'bench'), {
        batches: 40,
        batchSize: 5_000,
      });
      const [vault0] = [...bed.pools[0].accounts.entries()].filter(
        ([a]) => a === bed.pools[0].state.token0Vault,
      );
      const vaultBytes = (vault0 as [string, Uint8Array])[1];
      const vault = measureThroughput(() => tokenAccountAmount(vaultBytes, 'bench'), {
        batches: 40,
        batchSize: 20_000,
      });
      ctx.progress(1, 3);
      const lifetime = await bed.stack.pipeline.latestBlockhash();
      const plan = planSwaps(arb(bed, 0), bed.stack.source.book, 1);
      const instructions = await swapInstructions(plan, bed.wallet.signer, 500_000_001n);
      const signMs: number[] = [];
      for (let i = 0; i < SIGNS; i++) {
        const t = performance.now();
        await signV0(bed.wallet.signer, lifetime, 100_000 + (i % 1000), 50_000n, instructions);
        signMs.push(performance.now() - t);
      }
      ctx.progress(2, 3);
      const executor = bed.stack.executor as DryRunExecutor;
      const totalMs: number[] = [];
      for (let i = 0; i < SUBMISSIONS; i++) {
        const t = performance.now();
        await executor.submit(arb(bed, i));
        totalMs.push(performance.now() - t);
      }
      ctx.progress(3, 3);
      if (executor.stats.succeeded !== SUBMISSIONS) {
        throw new Error(
          `bench: ${executor.stats.succeeded}/${SUBMISSIONS} dry-run simulations succeeded`,
        );
      }
      const stages = bed.stack.pipeline.latency.summary();
      // Event → signed transaction with every cache warm (both routes' shapes sized, blockhash,
      // balance and tip accounts cached): no RPC round trip on the path, counted to be sure.
      const { pipeline } = bed.stack;
      const hotUs: number[] = [];
      await pipeline.begin(arb(bed, SUBMISSIONS + HOT));
      const requestsBefore = bed.cluster.requests.length;
      for (let i = 0; i < HOT; i++) {
        const t = performance.now();
        const begun = await pipeline.begin(arb(bed, SUBMISSIONS + i));
        hotUs.push((performance.now() - t) * 1_000);
        if (!('prepared' in begun)) throw new Error('bench: a warm submission was not prepared');
      }
      const hotRequests = (bed.cluster.requests.length - requestsBefore) / HOT;
      // The same, the way the path ran before the caches: balance, blockhash and a sizing
      // simulation per submission (three loopback round trips), then build and sign twice.
      const uncachedUs: number[] = [];
      for (let i = 0; i < HOT; i++) {
        const t = performance.now();
        await bed.stack.rpc.rpc.getBalance(bed.wallet.address).send();
        const fresh = await pipeline.latestBlockhash();
        const p = planSwaps(arb(bed, i), bed.stack.source.book, 1);
        const ixs = await swapInstructions(p, bed.wallet.signer, 500_000_001n);
        const probe = await signV0(bed.wallet.signer, fresh, MAX_COMPUTE_UNITS, 50_000n, ixs);
        const sim = await pipeline.simulate(probe.base64);
        const limit = sizedUnitLimit(sim.unitsConsumed ?? MAX_COMPUTE_UNITS, 0.15);
        await signV0(bed.wallet.signer, fresh, limit, 50_000n, ixs);
        uncachedUs.push((performance.now() - t) * 1_000);
      }
      return [
        ...sdkParityRows(),
        ...(await venueParityRows()),
        ...(await whirlpoolParityRows()),
        ...dlmmParityRows(),
        ...(await grpcFeedRows()),
        { name: 'PoolState.decode', metric: 'p50_ns', value: decode.nsPerOpP50, unit: 'ns/op' },
        { name: 'PoolState.decode', metric: 'p99_ns', value: decode.nsPerOpP99, unit: 'ns/op' },
        { name: 'PoolState.counters', metric: 'p50_ns', value: counters.nsPerOpP50, unit: 'ns/op' },
        { name: 'PoolState.counters', metric: 'p99_ns', value: counters.nsPerOpP99, unit: 'ns/op' },
        { name: 'TokenAccount.amount', metric: 'p50_ns', value: vault.nsPerOpP50, unit: 'ns/op' },
        { name: 'TokenAccount.amount', metric: 'p99_ns', value: vault.nsPerOpP99, unit: 'ns/op' },
        ...latencyRows('v0.build_sign_2_swaps', signMs),
        ...latencyRows('dry_run.submission', totalMs),
        ...usRows('hot_path.signed', hotUs),
        { name: 'hot_path.signed', metric: 'rpc_requests', value: hotRequests, unit: 'per op' },
        ...usRows('hot_path.uncached', uncachedUs),
        ...Object.entries(stages).flatMap(([stage, s]) => [
          { name: `dry_run.stage.${stage}`, metric: 'p50_ms', value: s.p50Ms, unit: 'ms' },
          { name: `dry_run.stage.${stage}`, metric: 'p99_ms', value: s.p99Ms, unit: 'ms' },
        ]),
      ];
    } finally {
      await bed.close();
    }
  },
};
