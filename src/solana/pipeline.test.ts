import { afterEach, describe, expect, it } from 'vitest';
import type { Submission } from '../market/types.js';
import { DirectExecutor } from './direct-executor.js';
import { JitoExecutor } from './jito-executor.js';
import { RAYDIUM_CP_PROGRAM } from './raydium-cp-layout.js';
import { type Testbed, testbed, until } from './testing/testbed.js';
import { decodeWire, feeOf } from './testing/wire.js';

/**
 * The submission pipeline's own rules against the local cluster: the last leg's profit guard as
 * signed, a trade that would not pay left unsent, and the hot path's caches — one sizing
 * simulation per shape (again only after a failure) and no blockhash request per submission.
 */
let bed: Testbed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function started(): Promise<Testbed> {
  bed = await testbed({
    extra: {
      tipFloorPollMs: 3_600_000,
      priorityFeePollMs: 3_600_000,
      blockhashRefreshMs: 3_600_000,
    },
  });
  await bed.stack.source.start(() => undefined);
  const b = bed;
  await until(() => b.stack.source.stats.feedPolls >= 2, 'the first tip-floor and fee polls');
  return b;
}

let seq = 0;
function roundTrip(
  b: Testbed,
  route: 'jito' | 'direct',
  overrides: Partial<Submission> = {},
): Submission {
  const [low, high] = b.pools;
  const id = `p-${seq++}`;
  return {
    id,
    opportunityId: id,
    module: 'arb',
    route,
    legs: [
      { pool: high.address, direction: 'aToB', amountIn: 1_000_000_000n, minAmountOut: 0n },
      { pool: low.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 0n },
    ],
    tipLamports: route === 'jito' ? 250_000n : 0n,
    priorityFeeMicroLamports: route === 'jito' ? 0n : 40_000n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
    ...overrides,
  };
}

/** `minimum_amount_out` of each swap in a wire transaction. */
function minOuts(base64: string): bigint[] {
  return decodeWire(base64)
    .instructions.filter((i) => i.program === RAYDIUM_CP_PROGRAM)
    .map((i) => new DataView(i.data.buffer, i.data.byteOffset).getBigUint64(16, true));
}

const count = (b: Testbed, method: string) =>
  b.cluster.requests.filter((r) => r.method === method).length;

describe('submission pipeline', () => {
  it('signs the last leg to return input + tip + fee + margin, and the chained leg to its reduced output', async () => {
    const b = await started();
    const jito = new JitoExecutor({
      pipeline: b.stack.pipeline,
      blockEngine: b.stack.blockEngine,
      landingMs: 5_000,
      pollMs: 20,
    });
    expect((await jito.submit(roundTrip(b, 'jito'))).landed).toBe(true);
    const wire = b.cluster.sent[0]?.base64 as string;
    const fee = feeOf(decodeWire(wire));
    const [first, last] = minOuts(wire) as [bigint, bigint];
    expect(last).toBe(1_000_000_000n + 250_000n + fee + BigInt(b.config.profitMarginLamports));
    // The second swap spends exactly what the first must return.
    const second = decodeWire(wire).instructions.filter((i) => i.program === RAYDIUM_CP_PROGRAM)[1];
    const spent = new DataView(
      second?.data.buffer as ArrayBuffer,
      second?.data.byteOffset,
    ).getBigUint64(8, true);
    expect(first).toBe(spent);
  });

  it('does not send a trade whose legs would not cover its tip: market_condition, free', async () => {
    const b = await started();
    const jito = new JitoExecutor({
      pipeline: b.stack.pipeline,
      blockEngine: b.stack.blockEngine,
      landingMs: 5_000,
      pollMs: 20,
    });
    const outcome = await jito.submit(roundTrip(b, 'jito', { tipLamports: 900_000_000n }));
    expect(outcome).toMatchObject({
      landed: false,
      failure: 'market_condition',
      feeLamports: 0n,
      tipLamports: 0n,
    });
    expect(count(b, 'sendBundle')).toBe(0);
    expect(
      b.lines.some((l) => /the legs return \d+ on the current book, below the \d+/.test(l)),
    ).toBe(true);
  });

  it('sizes a shape once, again after a failure, and reads no blockhash per submission', async () => {
    const b = await started();
    const direct = new DirectExecutor({ pipeline: b.stack.pipeline, landingMs: 5_000, pollMs: 20 });
    for (let i = 0; i < 3; i++)
      expect((await direct.submit(roundTrip(b, 'direct'))).landed).toBe(true);
    expect(count(b, 'simulateTransaction')).toBe(1);
    expect(count(b, 'getLatestBlockhash')).toBe(1);
    // Another route is another shape (the tip instruction changes the compute).
    const jito = new JitoExecutor({
      pipeline: b.stack.pipeline,
      blockEngine: b.stack.blockEngine,
      landingMs: 5_000,
      pollMs: 20,
    });
    await jito.submit(roundTrip(b, 'jito'));
    expect(count(b, 'simulateTransaction')).toBe(2);
    // A lost auction says nothing about the transaction: no new sizing.
    b.cluster.bundleFate = 'fail';
    expect((await jito.submit(roundTrip(b, 'jito'))).failure).toBe('auction_lost');
    b.cluster.bundleFate = 'land';
    expect((await jito.submit(roundTrip(b, 'jito'))).landed).toBe(true);
    expect(count(b, 'simulateTransaction')).toBe(2);
    b.cluster.signatureFate = 'revert';
    expect((await direct.submit(roundTrip(b, 'direct'))).failure).toBe('slippage');
    b.cluster.signatureFate = 'land';
    expect((await direct.submit(roundTrip(b, 'direct'))).landed).toBe(true);
    expect(count(b, 'simulateTransaction')).toBe(3);
    expect(count(b, 'getLatestBlockhash')).toBe(1);
    expect(b.stack.pipeline.stats.simulations).toBe(3);
  });
});
