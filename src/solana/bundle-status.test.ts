import { afterEach, describe, expect, it } from 'vitest';
import type { Submission } from '../market/types.js';
import { MAX_STATUS_IDS, refusalOf, SEND_BUNDLE_REFUSALS } from './block-engine.js';
import { JitoExecutor } from './jito-executor.js';
import { RpcError } from './json-rpc.js';
import { type Testbed, testbed, until } from './testing/testbed.js';

/**
 * Bundle statuses and refusals against the loopback block engine: every bundle in flight is
 * polled through one poller, at most 5 ids a call, backing off on HTTP 429 without moving any
 * bundle's deadline; a `sendBundle` refusal is read by its JSON-RPC code, never its message.
 */
let bed: Testbed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function started(): Promise<Testbed> {
  bed = await testbed({ extra: { tipFloorPollMs: 3_600_000, priorityFeePollMs: 3_600_000 } });
  await bed.stack.source.start(() => undefined);
  const b = bed;
  await until(() => b.stack.source.stats.feedPolls >= 2, 'the first tip-floor and fee polls');
  return bed;
}

let seq = 0;
/** Sell SOL where it is dear, buy it back where it is cheap; the tip makes each bundle unique. */
function arb(b: Testbed, tipLamports: bigint): Submission {
  const [low, high] = b.pools;
  const id = `s-${seq++}`;
  return {
    id,
    opportunityId: id,
    module: 'arb',
    route: 'jito',
    legs: [
      { pool: high.address, direction: 'aToB', amountIn: 1_000_000_000n, minAmountOut: 1n },
      { pool: low.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 1n },
    ],
    tipLamports,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
  };
}

function jito(b: Testbed, landingMs: number, maxStatusBackoffMs = 2_000): JitoExecutor {
  return new JitoExecutor({
    pipeline: b.stack.pipeline,
    blockEngine: b.stack.blockEngine,
    landingMs,
    pollMs: 20,
    maxStatusBackoffMs,
  });
}

function statusCalls(b: Testbed): string[][] {
  return b.cluster.requests
    .filter((r) => r.method === 'getInflightBundleStatuses')
    .map((r) => r.params[0] as string[]);
}

describe('bundle status polling', () => {
  it('batches every bundle in flight, ≤ 5 ids a call, and decides each despite 429s', async () => {
    const b = await started();
    // One status call in three answers 429; a bundle needs three polls to leave Pending.
    b.cluster.statusRateLimit = { limited: 1, of: 3 };
    b.cluster.pollsToDecide = 2;
    const ex = jito(b, 10_000);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ex.submit(arb(b, 250_000n + BigInt(i)))),
    );
    expect(outcomes.map((o) => o.failure)).toEqual(outcomes.map(() => null));
    expect(outcomes.every((o) => o.landed)).toBe(true);
    const calls = statusCalls(b);
    expect(calls.every((ids) => ids.length >= 1 && ids.length <= MAX_STATUS_IDS)).toBe(true);
    // Batched for real: some call asked about several bundles.
    expect(Math.max(...calls.map((ids) => ids.length))).toBe(MAX_STATUS_IDS);
    expect(ex.statuses.stats.rateLimited).toBeGreaterThan(0);
    expect(ex.statuses.inFlight).toBe(0);
  });

  it('expires a bundle at its deadline while the poller is backed off', async () => {
    const b = await started();
    // Every status call is rate limited and the poller may wait a minute between tries: the
    // deadlines (300 ms) must not wait with it, or this test times out.
    b.cluster.statusRateLimit = { limited: 1, of: 1 };
    const ex = jito(b, 300, 60_000);
    const outcomes = await Promise.all([0n, 1n, 2n].map((i) => ex.submit(arb(b, 250_000n + i))));
    expect(outcomes.map((o) => o.failure)).toEqual(['expired', 'expired', 'expired']);
    expect(outcomes.every((o) => o.feeLamports === 0n && o.profitLamports === 0n)).toBe(true);
    expect(ex.statuses.stats.rateLimited).toBeGreaterThan(0);
  });
});

describe('sendBundle refusals', () => {
  it('maps each JSON-RPC code to its reason, whatever the message says; unknown codes drop', async () => {
    const b = await started();
    const ex = jito(b, 5_000);
    const cases: Array<[number, string]> = [
      ...SEND_BUNDLE_REFUSALS,
      [-32603, 'dropped'],
      [-32000, 'dropped'],
    ];
    expect(cases.length).toBeGreaterThan(2);
    for (const [code, reason] of cases) {
      // Every message names the tip: only the code may decide.
      b.cluster.failNext('sendBundle', { code, message: 'tip too low, or anything else' });
      const outcome = await ex.submit(arb(b, 250_000n));
      expect({ code, failure: outcome.failure, landed: outcome.landed }).toEqual({
        code,
        failure: reason,
        landed: false,
      });
      expect(outcome.feeLamports).toBe(0n);
    }
    expect(SEND_BUNDLE_REFUSALS.get(-32602)).toBe('rejected');
    expect(SEND_BUNDLE_REFUSALS.get(-32097)).toBe('dropped');
    expect(refusalOf(new Error('tip'))).toBe('dropped');
    expect(refusalOf(new RpcError('be', 'sendBundle', -32602, ''))).toBe('rejected');
  });
});
