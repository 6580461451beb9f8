import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../agent/features.js';
import { runAgents } from '../agent/run.js';
import { apiHarness } from '../api/testing.js';
import { createBus } from '../bus/create.js';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { type Config, configSchema } from '../config/schema.js';
import { type Opportunity, OpportunitySchema } from '../gen/landfall/v1/realtime_pb.js';
import { createLogger } from '../log.js';
import { createSimMarket } from '../sim/index.js';
import { openStore } from '../store/client.js';
import { migrateStore } from '../store/setup.js';
import { Sink } from '../store/sink.js';
import type { Store } from '../store/types.js';
import { until } from '../testing/until.js';
import { buildHandModel, constantGolden } from './hand-built.js';
import { promote, publish } from './registry.js';
import { NEWEST_CANDIDATE, ShadowScorer } from './shadow.js';
import type { ShadowFigures } from './shadow-figures.js';

const log = createLogger('silent');
const MINUTES = 20;

/** What a decision is, without the ids and timings that differ between runs. */
const decisionOf = (o: Opportunity) =>
  [o.strategy, o.decision, o.score, o.modelVersion, o.tipLamports, o.route, o.expectedNetLamports]
    .map(String)
    .join(' ');

/**
 * A candidate in shadow beside the live model on the seeded simulator: the same run with and
 * without it decides identically, every stored opportunity carries the candidate's score and
 * version, and the API compares the two models on the stored opportunities and outcomes.
 * Both models are constants (live 0.75, candidate 0.25, threshold 0.5), so every figure is
 * known from the labels alone.
 */
describe('shadow scoring of a candidate in a running agent', () => {
  const home = mkdtempSync(join(tmpdir(), 'lf-shadow-'));
  const startMs = Date.now() - 30 * 60_000;
  let base: Config;
  let store: Store;
  let bus: Bus;
  let typed: TypedBus;
  let sink: Sink;
  let live: string;
  let candidate: string;

  const publishConstant = async (p: number, activate: boolean) => {
    await buildHandModel(
      { module: 'arb', p, nFeatures: FEATURE_NAMES.length },
      join(home, `p${p}.so`),
    );
    return publishBuilt(join(home, base.model.dir), p, activate);
  };
  /** The library `publishConstant` built for `p`, published (again) into `dir`. */
  const publishBuilt = (dir: string, p: number, activate: boolean) =>
    publish(
      dir,
      {
        module: 'arb',
        libraryPath: join(home, `p${p}.so`),
        featureNames: FEATURE_NAMES,
        threshold: 0.5,
        golden: constantGolden(FEATURE_NAMES.length, p),
      },
      base.model.keep,
      { activate },
    ).version;

  /** One paper run of the arb agent over the same seeded minutes; returns what it published. */
  const run = async (config: Config, forward?: TypedBus) => {
    const opportunities: Opportunity[] = [];
    const publisher = {
      async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
        if (topic === 'arb-opportunities-proto') opportunities.push(message as Opportunity);
        await forward?.publish(topic, message);
      },
    };
    const market = createSimMarket({
      config: { ...config.sim, startTimeMs: startMs },
      pace: 'virtual',
      durationMs: MINUTES * 60_000,
    });
    const agents = await runAgents(market, { config, publisher, modules: ['arb'], log });
    await agents.ended;
    await agents.stop();
    return { opportunities, lines: agents.lines, counters: agents.agents[0]?.engine.counters };
  };

  beforeAll(async () => {
    base = configSchema.parse({ home, store: { sink: { flushMs: 20 } } });
    live = await publishConstant(0.75, true);
    candidate = await publishConstant(0.25, false);
    store = await openStore(base.store, { home });
    await migrateStore(store, base);
    bus = await createBus(base.bus);
    typed = new TypedBus(bus);
    sink = await Sink.start({ bus: typed, store, logger: log, ...base.store.sink });
  }, 120_000);

  afterAll(async () => {
    await sink?.stop();
    await bus?.close();
    await store?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('stores the candidate scores beside unchanged decisions, and the API compares them', async () => {
    const without = await run(base);
    const shadowConfig = configSchema.parse({
      home,
      store: { sink: { flushMs: 20 } },
      model: { shadow: { arb: 'candidate' } },
    });
    const withShadow = await run(shadowConfig, typed);
    expect(withShadow.lines.join('\n')).toContain(`shadow arb-paper-1: ${candidate}`);

    // Off the decision path: the same decisions, in the same order, as without a shadow.
    expect(without.opportunities.length).toBeGreaterThan(50);
    expect(withShadow.opportunities.map(decisionOf)).toEqual(without.opportunities.map(decisionOf));
    expect(withShadow.counters).toEqual(without.counters);
    expect(without.opportunities.every((o) => o.shadowModelVersion === '')).toBe(true);
    for (const o of withShadow.opportunities) {
      expect(o.modelVersion).toBe(live);
      expect(o.shadowModelVersion).toBe(candidate);
      expect(o.shadowScore).toBe(0.25);
    }

    // Stored with the opportunity, every one of them.
    const db = store.database;
    const submitted = withShadow.opportunities.filter((o) => o.decision === 1).length;
    const stored = async () => {
      const [r] = await store.query<{ n: string; outcomes: string }>(
        `SELECT (SELECT count() FROM ${db}.arb_opportunities FINAL WHERE shadow_model_version = {v:String} AND shadow_score = 0.25) AS n,
                (SELECT count() FROM ${db}.bundle_outcomes FINAL WHERE module = 'ARBITRAGE') AS outcomes`,
        { v: candidate },
      );
      return Number(r?.n) === withShadow.opportunities.length && Number(r?.outcomes) >= submitted;
    };
    await until(stored, 'the sink to store every opportunity and outcome', 60_000, 50);

    const api = await apiHarness({ store, home });
    try {
      const headers = { authorization: `Bearer ${await api.token('viewer')}` };
      const res = await api.app.inject({
        method: 'GET',
        url: '/api/models/arb/shadow?minutes=60',
        headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      const figures = res.json() as ShadowFigures;
      expect(figures.comparisons).toHaveLength(1);
      const c = figures.comparisons[0];
      expect(c?.shadowVersion).toBe(candidate);
      expect(c?.scored).toBe(withShadow.opportunities.length);
      expect(c?.rows).toBe(submitted);
      const n = c?.rows ?? 0;
      const pos = c?.positives ?? 0;
      expect(pos).toBeGreaterThan(0);
      expect(pos).toBeLessThan(n);
      // Constant scores rank nothing; their log-loss follows from the labels alone.
      const loss = (p: number) => -(pos * Math.log(p) + (n - pos) * Math.log(1 - p)) / n;
      expect(c?.live).toMatchObject({ versions: [live], threshold: 0.5, auc: 0.5, trades: n });
      expect(c?.live.logLoss).toBeCloseTo(loss(0.75), 9);
      expect(c?.shadow).toMatchObject({ versions: [candidate], threshold: 0.5, auc: 0.5 });
      expect(c?.shadow.logLoss).toBeCloseTo(loss(0.25), 9);
      // The candidate's 0.25 is under its threshold: it would have traded nothing.
      expect(c?.shadow).toMatchObject({ trades: 0, profitSol: 0 });
      const [realised] = await store.query<{ sol: number }>(
        `SELECT sum(profit_lamports) / 1e9 AS sol FROM ${db}.bundle_outcomes FINAL WHERE module = 'ARBITRAGE'`,
      );
      expect(c?.live.profitSol).toBeCloseTo(Number(realised?.sol), 9);
    } finally {
      await api.close();
    }
  }, 180_000);

  it('scores on a later turn, in slices; a full queue publishes unscored; a refused choice scores nothing', async () => {
    const dir = join(home, base.model.dir);
    const scorer = (choice: string, limits: { maxPending?: number; batch?: number } = {}) =>
      new ShadowScorer({ dir, module: 'arb', featureNames: FEATURE_NAMES, choice, ...limits });
    const message = () =>
      create(OpportunitySchema, { features: Array.from(FEATURE_NAMES, () => 1) });
    const out: Opportunity[] = [];
    const push = (m: Opportunity) => void out.push(m);
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

    const shadow = scorer(NEWEST_CANDIDATE);
    expect(await shadow.start()).toBe(candidate);
    shadow.enqueue(message(), push);
    expect(out).toHaveLength(0); // Not on the caller's turn: the decision never waits on it.
    await until(() => out.length === 1, 'the batch on a later turn', 5_000);
    expect(out[0]).toMatchObject({ shadowScore: 0.25, shadowModelVersion: candidate });
    shadow.close();

    // Two fit in the queue; the third goes out at once, unscored and counted: nothing is
    // scored on the caller's turn, however fast the market.
    const bounded = scorer(live.slice(0, 6), { maxPending: 2, batch: 1 });
    expect(await bounded.start()).toBe(live);
    out.length = 0;
    for (let i = 0; i < 3; i++) bounded.enqueue(message(), push);
    expect(out.map((m) => m.shadowModelVersion)).toEqual(['']);
    expect(bounded.unscored).toBe(1);
    // One slice (batch 1) per event-loop turn.
    await nextTurn();
    expect(out.map((m) => m.shadowScore)).toEqual([0, 0.75]);
    await nextTurn();
    expect(out.map((m) => m.shadowScore)).toEqual([0, 0.75, 0.75]);
    expect(bounded).toMatchObject({ scored: 2, unscored: 1 });
    bounded.close();

    // An unknown version: no shadow model, messages still go out, unscored.
    const none = scorer('ffffffff');
    expect(await none.start()).toBeUndefined();
    out.length = 0;
    none.enqueue(message(), push);
    none.flush();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ shadowScore: 0, shadowModelVersion: '' });
    none.close();
  });

  it('follows the registry: a candidate published while running is scored, a promoted one retires', async () => {
    const dir = join(home, 'follow');
    const changes: (string | undefined)[] = [];
    const shadow = new ShadowScorer({
      dir,
      module: 'arb',
      featureNames: FEATURE_NAMES,
      choice: NEWEST_CANDIDATE,
      onChange: (v) => void changes.push(v),
    });
    try {
      expect(await shadow.start()).toBeUndefined();
      const liveHere = publishBuilt(dir, 0.75, true);
      const candidateHere = publishBuilt(dir, 0.25, false);
      await until(
        () => shadow.current?.version === candidateHere,
        'the new candidate in shadow',
        30_000,
      );
      const out: Opportunity[] = [];
      shadow.enqueue(
        create(OpportunitySchema, { features: Array.from(FEATURE_NAMES, () => 1) }),
        (m) => void out.push(m),
      );
      await until(() => out.length === 1, 'the scored message', 5_000);
      expect(out[0]).toMatchObject({ shadowScore: 0.25, shadowModelVersion: candidateHere });

      // Promoted: it is the live model now, and no candidate is left to shadow.
      promote(dir, 'arb', candidateHere);
      await until(() => shadow.current === undefined, 'the promoted candidate to retire', 30_000);
      expect(changes).toEqual([candidateHere, undefined]);
      expect(liveHere).not.toBe(candidateHere);
    } finally {
      shadow.close();
    }
  });
});
