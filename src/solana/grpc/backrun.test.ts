import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent/assemble.js';
import { DEFAULT_AGENT_SETTINGS } from '../../agent/config.js';
import type { DecisionRecord } from '../../agent/engine.js';
import { Telemetry } from '../../agent/telemetry.js';
import type { MetricsUpdate } from '../../gen/landfall/v1/realtime_pb.js';
import type { MarketEvent, Module, SubmissionOutcome } from '../../market/types.js';
import { type SolanaMarket, solanaMarketFrom } from '../market.js';
import { vaultWithBalance } from '../testing/pool-fixtures.js';
import { until } from '../testing/testbed.js';
import { type GrpcBed, grpcTestbed } from './testing/grpc-bed.js';
import { swapUpdate } from './testing/swap-transaction.js';

/**
 * The backrun path end to end on loopback, in dry-run: a large CP-Swap swap on a watched pool
 * arrives on the gRPC transaction stream; the mev agent builds, signs, simulates and records a
 * backrun naming that swap (`afterSignature`) before the pool's own account update has arrived,
 * and the arb agent on the same market still gets the account update when it comes.
 */
let bed: GrpcBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

function agent(market: SolanaMarket, module: Module) {
  const decisions: DecisionRecord[] = [];
  const outcomes: SubmissionOutcome[] = [];
  const engine = createAgent({
    agentId: `grpc-${module}`,
    module,
    market,
    policy: { kind: 'fixed', tipShare: 0.1, route: 'jito' },
    settings: { ...DEFAULT_AGENT_SETTINGS, minProfitLamports: 1, minScore: 0 },
    observers: [
      {
        onDecision: (r) => void decisions.push(r),
        onOutcome: (o) => void outcomes.push(o),
      },
    ],
  });
  const sent = () => decisions.filter((d) => d.decision === 'submitted');
  return { engine, decisions, outcomes, sent };
}

describe('backruns from the gRPC transaction stream', () => {
  it('backruns a large swap before its pool update arrives; the arb agent still sees the update', async () => {
    bed = await grpcTestbed({
      dryRun: true,
      modules: ['arb', 'mev'],
      extra: { tipFloorPollMs: 3_600_000, priorityFeePollMs: 3_600_000 },
    });
    const b = bed;
    const market = solanaMarketFrom(b.stack, {
      live: b.config,
      wallet: b.wallet,
      minTipLamports: 1_000,
      dryRun: true,
    });
    const mev = agent(market, 'mev');
    const arb = agent(market, 'arb');
    const seen: MarketEvent[] = [];
    await market.source.start(async (e) => {
      seen.push(e);
      await Promise.all([mev.engine.handle(e), arb.engine.handle(e)]);
    });
    await until(() => b.geyser.streams === 1 && b.geyser.requests.length >= 2, 'the stream');
    // Someone sells 2,000 SOL into the dear pool ($145): it falls towards the cheap one's price,
    // and past it, so buying it back there and selling on the cheap pool pays.
    const dear = b.pools[1];
    const wsolIs0 = dear.state.token0Mint === 'So11111111111111111111111111111111111111112';
    const direction = wsolIs0 ? 'aToB' : 'bToA';
    const swap = await swapUpdate({
      pool: dear,
      direction,
      amountIn: 2_000_000_000_000n,
      slot: b.cluster.slot + 1,
    });
    const backrun = () => mev.sent().find((d) => d.submission?.afterSignature === swap.signature);
    b.geyser.send(swap.update, b.cluster.slot + 1);
    await until(
      () => mev.outcomes.some((o) => o.submissionId === backrun()?.submission?.id),
      'the backrun simulated',
    );
    const b0 = backrun();
    expect(b0?.opportunity.module).toBe('mev');
    expect(b0?.opportunity.pools).toContain(dear.address);
    // Simulated and deliberately not sent: a dry run's success is `dropped`, at no cost.
    const outcome = mev.outcomes.find((o) => o.submissionId === b0?.submission?.id);
    expect(outcome).toMatchObject({ failure: 'dropped', feeLamports: 0n });
    expect(b.stack.dryRun?.stats.succeeded).toBeGreaterThan(0);
    expect(b.cluster.requests.some((r) => r.method === 'simulateBundle')).toBe(true);
    expect(b.cluster.sent).toHaveLength(0);
    // Timed from the stream's delivery of the target through every stage to the send.
    expect(b.stack.source.triggers.latency.summary().triggerEvent?.count).toBeGreaterThan(0);
    const stages = b.stack.pipeline.latency.summary();
    for (const stage of ['triggerDecision', 'triggerSigned', 'triggerSent'] as const)
      expect(stages[stage]?.count, stage).toBe(1);
    // And said on exit, with the feed's own counts.
    const summary = market.summary().join('\n');
    expect(summary).toContain('1 pending swaps');
    expect(summary).toMatch(/triggerSigned p50 [\d.]+ ms/);
    expect(summary).toMatch(
      /stages: streamEvent p50 [\d.]+ ms p99 [\d.]+ ms \(\d+\), triggerEvent/,
    );
    // Each agent's metrics carry the stages of its interval: the stream's for both, the
    // trigger's and the submission's for the mev agent only; a second take starts afresh.
    const stagesOf = (engine: typeof mev.engine, module: Module) => {
      const sent: MetricsUpdate[] = [];
      const clock = { now: () => Date.now(), schedule: () => () => undefined };
      const publisher = {
        publish: async (_topic: string, m: unknown) => void sent.push(m as MetricsUpdate),
      };
      const telemetry = new Telemetry(publisher as never, `grpc-${module}`, module, clock);
      telemetry.start(engine);
      telemetry.publishMetrics();
      telemetry.publishMetrics();
      return sent.map((m) => new Map(m.stages.map((g) => [g.stage, g])));
    };
    const [mevStages, mevAfter] = stagesOf(mev.engine, 'mev');
    for (const stage of [
      'streamEvent',
      'triggerEvent',
      'triggerDecision',
      'triggerSigned',
      'triggerSent',
      'build',
      'sign',
      'send',
    ])
      expect(mevStages?.get(stage)?.count, stage).toBeGreaterThan(0n);
    const signedUs = mevStages?.get('triggerSigned');
    expect(signedUs?.p99Us).toBeGreaterThanOrEqual(signedUs?.p50Us ?? Number.NaN);
    expect(mevAfter?.size).toBe(0);
    const [arbStages] = stagesOf(arb.engine, 'arb');
    expect(arbStages?.get('streamEvent')?.count).toBeGreaterThan(0n);
    expect(arbStages?.has('triggerEvent')).toBe(false);
    // Sent for its target's slot, whose leader (every leader, here) runs Jito.
    expect(b.stack.backrunTiming?.stats).toMatchObject({ sameSlot: 1, notJitoLeader: 0 });
    // Nothing of the pool's own accounts had come: the book still holds the state before it.
    const pending = seen.find((e) => e.kind === 'pendingSwap');
    const poolsBefore = seen.filter((e) => e.kind === 'pool' && e.pool.id === dear.address);
    expect(seen.indexOf(pending as MarketEvent)).toBeGreaterThan(
      seen.indexOf(poolsBefore.at(-1) as MarketEvent),
    );
    // The swap's accounts land: the arb agent's view moves with them.
    b.advance();
    const [v, d] = await vaultWithBalance(dear, wsolIs0 ? 0 : 1, 4_000_000_000_000n);
    b.setAccount(dear.address, b.cluster.accounts.get(dear.address) as Uint8Array);
    b.setAccount(v, d);
    const other = wsolIs0 ? dear.state.token1Vault : dear.state.token0Vault;
    b.setAccount(other, b.cluster.accounts.get(other) as Uint8Array);
    await until(
      () =>
        seen.some(
          (e) =>
            e.kind === 'pool' &&
            e.pool.id === dear.address &&
            (wsolIs0 ? e.pool.reserveA : e.pool.reserveB) === 4_000_000_000_000n,
        ),
      'the pool update',
    );
    expect(arb.decisions.length).toBeGreaterThan(0);
  });

  it("holds a bundle back when its target's slot is led by a validator without Jito", async () => {
    // The cluster's leaders take four slots each from slot 0: the first runs Jito, the second not.
    const jitoLeader = '7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2';
    bed = await grpcTestbed({
      dryRun: true,
      modules: ['mev'],
      extra: { tipFloorPollMs: 3_600_000, priorityFeePollMs: 3_600_000, jitoLeaders: [jitoLeader] },
    });
    const b = bed;
    expect(b.cluster.leaderOf(b.cluster.slot)).toBe(jitoLeader);
    const market = solanaMarketFrom(b.stack, {
      live: b.config,
      wallet: b.wallet,
      minTipLamports: 1_000,
      dryRun: true,
    });
    const mev = agent(market, 'mev');
    await market.source.start((e) => mev.engine.handle(e));
    await until(() => b.geyser.streams === 1 && b.geyser.requests.length >= 2, 'the stream');
    const dear = b.pools[1];
    const wsolIs0 = dear.state.token0Mint === 'So11111111111111111111111111111111111111112';
    const target = b.cluster.slot + 5;
    expect(b.cluster.leaderOf(target)).not.toBe(jitoLeader);
    const swap = await swapUpdate({
      pool: dear,
      direction: wsolIs0 ? 'aToB' : 'bToA',
      amountIn: 2_000_000_000_000n,
      slot: target,
    });
    b.geyser.send(swap.update, target);
    await until(() => mev.outcomes.length > 0, 'the backrun decided');
    const sent = mev.sent().find((d) => d.submission?.afterSignature === swap.signature);
    expect(sent?.submission?.route).toBe('jito');
    // Decided, signed nothing, sent nothing: the bundle could not land with that leader.
    expect(mev.outcomes[0]).toMatchObject({
      submissionId: sent?.submission?.id,
      failure: 'not_jito_leader',
      slot: target,
      feeLamports: 0n,
    });
    expect(b.stack.backrunTiming?.stats.notJitoLeader).toBe(1);
    expect(b.cluster.requests.some((r) => r.method === 'simulateBundle')).toBe(false);
    expect(b.stack.pipeline.latency.summary().triggerSigned).toBeUndefined();
  });
});
