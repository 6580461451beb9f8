import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import type { Submission, SubmissionOutcome } from '../market/types.js';
import type { SimConfigInput } from './config.js';
import { DEFAULT_REFERENCE, ReferenceSearcher } from './reference-searcher.js';
import { Simulator } from './simulator.js';

/** No flow, no rivals, every leader on Jito, clearing tip at the minimum: only what we submit. */
const QUIET: SimConfigInput = {
  seed: 1,
  rivals: {
    population: 0,
    regimes: { empty: { activeRivals: 0, latencyMultiplier: 1, tipShareMultiplier: 1 } },
    switching: { mode: 'markov', initial: 'empty', meanDwellMinutes: 1_000 },
  },
  market: { noise: { tradesPerMinutePerToken: 0.001 }, externalArb: { probabilityPerSlot: 0 } },
  jito: { clearingQuantile: { idle: 0, saturated: 0 } },
  chain: { jitoShare: 1, direct: { maxDropAtSaturation: 0 } },
  agent: { submitLatencyMs: 5 },
};

const SOL = 1_000_000_000n;

function buy(id: string, pool: string, tip: bigint, extra: Partial<Submission> = {}): Submission {
  return {
    id,
    opportunityId: id,
    module: 'arb',
    route: 'jito',
    legs: [{ pool, direction: 'bToA', amountIn: SOL, minAmountOut: 0n }],
    tipLamports: tip,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 200_000,
    transactions: 1,
    signatures: 1,
    ...extra,
  };
}

/** Submits everything at the first slot of a quiet market; returns outcomes and landed signatures. */
async function scenario(subs: Submission[], config: SimConfigInput = QUIET) {
  const sim = new Simulator(config, { durationMs: 3_000 });
  const outcomes = new Map<string, SubmissionOutcome>();
  const landedSigs: string[] = [];
  await sim.run((e) => {
    if (e.kind === 'landedSwap') landedSigs.push(e.signature);
    if (e.kind === 'slot' && e.slot === sim.config.chain.startSlot) {
      for (const s of subs) void sim.executor.submit(s).then((o) => outcomes.set(s.id, o));
    }
  });
  return { outcomes, landedSigs };
}

describe('Jito landing', () => {
  it('in one auction only the highest tip of conflicting bundles lands; the loser never executes', async () => {
    const { outcomes, landedSigs } = await scenario([
      buy('low', 'raydium:JUP-SOL', 20_000n),
      buy('high', 'raydium:JUP-SOL', 50_000n),
      buy('other-pool', 'orca:JUP-SOL', 2_000n),
      buy('under-min', 'meteora:JUP-SOL', 999n),
    ]);
    const high = outcomes.get('high');
    expect(high).toMatchObject({
      landed: true,
      failure: null,
      route: 'jito',
      tipLamports: 50_000n,
      feeLamports: 5_000n,
    });
    // Realised: the quote spent, the tip and the base fee.
    expect(high?.profitLamports).toBe(-SOL - 50_000n - 5_000n);
    expect(outcomes.get('low')).toMatchObject({
      landed: false,
      failure: 'auction_lost',
      tipLamports: 0n,
      feeLamports: 0n,
      profitLamports: 0n,
    });
    expect(outcomes.get('other-pool')).toMatchObject({ landed: true, failure: null });
    expect(outcomes.get('under-min')).toMatchObject({
      landed: false,
      failure: 'tip_below_minimum',
    });
    expect(landedSigs).toContain('high');
    expect(landedSigs).toContain('other-pool');
    expect(landedSigs).not.toContain('low');
    expect(landedSigs).not.toContain('under-min');
  });

  it('a leader without Jito never lands a bundle; direct transactions still land', async () => {
    const { outcomes, landedSigs } = await scenario(
      [
        buy('bundle', 'raydium:JUP-SOL', 1_000_000n),
        buy('direct', 'orca:JUP-SOL', 0n, { route: 'direct', priorityFeeMicroLamports: 10n ** 6n }),
      ],
      { ...QUIET, chain: { jitoShare: 0, direct: { maxDropAtSaturation: 0 } } },
    );
    expect(outcomes.get('bundle')).toMatchObject({
      landed: false,
      failure: 'not_jito_leader',
      feeLamports: 0n,
    });
    expect(outcomes.get('direct')).toMatchObject({ landed: true, route: 'direct' });
    expect(landedSigs).toEqual(['direct']);
  });

  it('a leader without Jito never lands a bundle, over a whole competitive run', async () => {
    const jitoSlot = new Map<number, boolean>();
    const all: SubmissionOutcome[] = [];
    const sim = new Simulator(
      { seed: 4, chain: { jitoShare: 0.5 } },
      {
        durationMs: 8 * 60_000,
        observe: (_, o) => all.push(o),
      },
    );
    const agent = new ReferenceSearcher(sim.executor, { ...DEFAULT_REFERENCE, route: 'jito' });
    await sim.run((e) => {
      if (e.kind === 'slot') jitoSlot.set(e.slot, e.leaderRunsJito);
      agent.handle(e);
    });
    const bundles = all.filter((o) => o.route === 'jito');
    const landed = bundles.filter((o) => o.landed);
    expect(landed.length).toBeGreaterThan(20);
    expect(bundles.filter((o) => o.failure === 'not_jito_leader').length).toBeGreaterThan(20);
    for (const o of landed) expect(jitoSlot.get(o.slot)).toBe(true);
    for (const o of bundles.filter((b) => b.failure === 'not_jito_leader'))
      expect(jitoSlot.get(o.slot)).toBe(false);
  });

  it('a reverted bundle pays nothing; a reverted direct transaction pays its fees', async () => {
    const impossible = { minAmountOut: 10n ** 30n };
    const { outcomes } = await scenario([
      buy('bundle', 'raydium:WIF-SOL', 10_000n, {
        legs: [{ pool: 'raydium:WIF-SOL', direction: 'bToA', amountIn: SOL, ...impossible }],
      }),
      buy('direct', 'orca:WIF-SOL', 0n, {
        route: 'direct',
        priorityFeeMicroLamports: 10n ** 6n,
        legs: [{ pool: 'orca:WIF-SOL', direction: 'bToA', amountIn: SOL, ...impossible }],
      }),
    ]);
    expect(outcomes.get('bundle')).toMatchObject({
      landed: false,
      failure: 'slippage',
      feeLamports: 0n,
      profitLamports: 0n,
    });
    // 5,000 base + 10⁶ µlamports/CU × 200,000 CU / 10⁶ = 200,000 priority.
    expect(outcomes.get('direct')).toMatchObject({
      landed: false,
      failure: 'slippage',
      feeLamports: 205_000n,
      profitLamports: -205_000n,
    });
  });
});

describe('backruns', () => {
  it('land after their target swap, never before it, by either route', async () => {
    for (const route of ['jito', 'direct'] as const) {
      const order = new Map<string, number>();
      // Without rivals, so that direct backruns (slower than a bundle) land often enough.
      const sim = new Simulator(
        { seed: 6, rivals: QUIET.rivals ?? {}, market: { largeSwaps: { thresholdSol: 3 } } },
        { durationMs: 12 * 60_000 },
      );
      const agent = new ReferenceSearcher(sim.executor, { ...DEFAULT_REFERENCE, route });
      let i = 0;
      await sim.run((e) => {
        if (e.kind === 'landedSwap' && !order.has(e.signature)) order.set(e.signature, i++);
        agent.handle(e);
      });
      const backruns = agent.report.outcomes.filter((o) => o.module === 'mev' && o.landed);
      expect(backruns.length).toBeGreaterThan(10);
      for (const o of backruns) {
        const target = o.opportunityId.replace(/^backrun-/, '');
        expect(order.get(target)).toBeLessThan(order.get(o.submissionId) as number);
      }
    }
  });

  it('expire when their target never lands', async () => {
    const sim = new Simulator(
      { ...QUIET, market: { largeSwaps: { failProbability: 1 } } },
      { durationMs: 5 * 60_000 },
    );
    const agent = new ReferenceSearcher(sim.executor);
    await sim.run(agent.handle);
    const backruns = agent.report.outcomes.filter((o) => o.module === 'mev');
    expect(backruns.length).toBeGreaterThan(0);
    for (const o of backruns)
      expect(o).toMatchObject({ landed: false, failure: 'expired', feeLamports: 0n });
  });
});

describe('executor validation', () => {
  async function rejectionOf(sub: Submission): Promise<string> {
    const sim = new Simulator(QUIET, { durationMs: 1_000 });
    let message = '';
    await sim.run(async (e) => {
      if (e.kind !== 'slot' || message !== '') return;
      await sim.executor.submit(sub).catch((err: unknown) => {
        expect(isLandfallError(err, 'LF_MARKET_SUBMISSION_INVALID')).toBe(true);
        message = (err as Error).message;
      });
    });
    return message;
  }

  it('rejects malformed submissions, naming the field', async () => {
    expect(await rejectionOf(buy('x', 'nowhere:ABC-SOL', 5_000n))).toMatch(
      /legs\[0\]\.pool "nowhere:ABC-SOL" is not a known pool/,
    );
    expect(
      await rejectionOf(buy('x', 'raydium:JUP-SOL', 5_000n, { transactions: 6, signatures: 6 })),
    ).toMatch(/transactions makes a bundle of 6 .* the limit is 5/);
    expect(
      await rejectionOf(
        buy('x', 'raydium:JUP-SOL', 5_000n, {
          transactions: 5,
          signatures: 5,
          module: 'mev',
          afterSignature: 's',
        }),
      ),
    ).toMatch(/bundle of 6 \(target swap included\)/);
    expect(await rejectionOf(buy('x', 'raydium:JUP-SOL', 5_000n, { route: 'direct' }))).toMatch(
      /tipLamports must be 0 for route direct/,
    );
    expect(
      await rejectionOf(
        buy('x', 'raydium:JUP-SOL', 5_000n, {
          legs: [
            { pool: 'raydium:JUP-SOL', direction: 'bToA', amountIn: 'previous', minAmountOut: 0n },
          ],
        }),
      ),
    ).toMatch(/legs\[0\]\.amountIn cannot be 'previous'/);
  });

  it('refuses a reused id, and any submission before the market starts', async () => {
    const sim = new Simulator(QUIET, { durationMs: 1_000 });
    await expect(sim.executor.submit(buy('early', 'raydium:JUP-SOL', 5_000n))).rejects.toThrow(
      /not running/,
    );
    let second: unknown;
    await sim.run((e) => {
      if (e.kind !== 'slot' || second !== undefined) return;
      void sim.executor.submit(buy('dup', 'raydium:JUP-SOL', 5_000n));
      second = sim.executor
        .submit(buy('dup', 'raydium:JUP-SOL', 5_000n))
        .catch((err: Error) => err.message);
    });
    expect(await second).toMatch(/id was already used/);
  });
});
