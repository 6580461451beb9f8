import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimMarket, type SimMarket } from '../sim/index.js';
import { DirectExecutor } from '../solana/direct-executor.js';
import { DryRunExecutor } from '../solana/dry-run-executor.js';
import { JitoExecutor } from '../solana/jito-executor.js';
import { JsonRpcClient } from '../solana/json-rpc.js';
import { createSolanaRpcClient } from '../solana/solana-rpc.js';
import { type Testbed, testbed } from '../solana/testing/testbed.js';
import { until } from '../testing/until.js';
import { malformedVariants } from './contract.js';
import type { Executor, PoolSnapshot, Submission } from './types.js';

/**
 * One rule book, every executor: the same malformed submission is refused by the simulator,
 * Jito, direct and dry-run executors with the same code and the same message, before any of
 * them reads a blockhash or spends a lamport.
 */
describe('every executor refuses a malformed submission the same way', () => {
  let sim: SimMarket;
  let bed: Testbed;
  const pools: PoolSnapshot[] = [];

  beforeAll(async () => {
    sim = createSimMarket({ config: { seed: 3, speed: 50 }, pace: 'wall' });
    await sim.source.start((e) => {
      if (e.kind === 'pool') pools.push(e.pool);
    });
    bed = await testbed();
    await bed.stack.source.start(() => undefined);
    await until(() => pools.length > 0, 'the simulated pools');
  });
  afterAll(async () => {
    await sim?.stop();
    await bed?.close();
  });

  it('simulator, jito, direct and dry-run: same code, same message', async () => {
    const rpc = { url: bed.cluster.rpcUrl, timeoutMs: 5_000, rateLimitRetries: 0, backoffMs: 10 };
    const { pipeline, blockEngine } = bed.stack;
    const live: Record<string, Executor> = {
      jito: new JitoExecutor({ pipeline, blockEngine, landingMs: 5_000, pollMs: 20 }),
      direct: new DirectExecutor({ pipeline, landingMs: 5_000, pollMs: 20 }),
      'dry-run': new DryRunExecutor({
        pipeline,
        bundleRpc: new JsonRpcClient(rpc),
        simulationRpc: createSolanaRpcClient(rpc),
      }),
    };
    const simPool = pools[0] as PoolSnapshot;
    // The same submission on each market's own pool (pool ids differ between markets).
    const onPool = (pool: string): Submission => ({
      id: 'agree-1',
      opportunityId: 'opp-agree-1',
      module: 'arb',
      route: 'jito',
      legs: [{ pool, direction: 'bToA', amountIn: 10_000_000n, minAmountOut: 0n }],
      tipLamports: 10_000n,
      priorityFeeMicroLamports: 0n,
      computeUnitLimit: 150_000,
      transactions: 1,
      signatures: 1,
    });
    // What an executor asks the cluster for once a submission passes validation.
    const SENDING = [
      'getLatestBlockhash',
      'getBalance',
      'simulateTransaction',
      'simulateBundle',
      'getTipAccounts',
      'sendBundle',
      'sendTransaction',
    ];
    const sendingRequests = () =>
      bed.cluster.requests.filter((r) => SENDING.includes(r.method)).length;
    const requestsBefore = sendingRequests();
    const variants = (pool: string) => malformedVariants(onPool(pool));
    const solanaPool = bed.pools[0].address;
    for (const [i, [what, bad]] of variants(simPool.id).entries()) {
      const refusals = new Map<string, string>();
      const reason = (err: unknown) =>
        `${(err as { code?: string }).code}: ${(err as Error).message}`;
      refusals.set('simulator', await sim.executor.submit(bad).then(String, reason));
      const [, liveBad] = variants(solanaPool)[i] as [string, Submission, string];
      for (const [name, executor] of Object.entries(live)) {
        refusals.set(name, await executor.submit(liveBad).then(String, reason));
      }
      const distinct = new Set(refusals.values());
      expect(distinct.size, `${what}: ${[...refusals].join(' | ')}`).toBe(1);
      expect([...distinct][0]).toMatch(/^LF_MARKET_SUBMISSION_INVALID: submission "agree-1": /);
    }
    // Refused before anything was asked of the cluster.
    expect(sendingRequests()).toBe(requestsBefore);
  });
});
