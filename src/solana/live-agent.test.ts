import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../agent/assemble.js';
import { DEFAULT_AGENT_SETTINGS } from '../agent/config.js';
import type { DecisionRecord } from '../agent/engine.js';
import { LandfallError } from '../errors.js';
import type { MarketEvent, Submission, SubmissionOutcome } from '../market/types.js';
import { type SolanaMarket, solanaMarketFrom } from './market.js';
import { vaultWithBalance } from './testing/pool-fixtures.js';
import { type Testbed, testbed, until } from './testing/testbed.js';

/**
 * An agent on the live market over the loopback cluster: the minimum tip follows the tip floor,
 * an opportunity still there is re-sent once a slot (never twice in one), and a submission the
 * market no longer allows is skipped with its reason while the source keeps running.
 */
let bed: Testbed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function live(extra: Record<string, unknown> = {}): Promise<{
  b: Testbed;
  market: SolanaMarket;
}> {
  bed = await testbed({
    extra: {
      tipFloorPollMs: 3_600_000,
      priorityFeePollMs: 3_600_000,
      ...extra,
      timeouts: { landingMs: 1_000, ...(extra.timeouts as object) },
    },
  });
  const market = solanaMarketFrom(bed.stack, {
    live: bed.config,
    wallet: bed.wallet,
    minTipLamports: 1_000,
    dryRun: false,
  });
  return { b: bed, market };
}

/**
 * Advances the cluster's slot until the source delivers a slot event: the slot subscription is
 * then up, whatever else the source subscribes to.
 */
async function slotStreamUp(b: Testbed, seen: MarketEvent[]): Promise<void> {
  let polls = 0;
  await until(() => {
    if (seen.some((e) => e.kind === 'slot')) return true;
    if (polls++ % 10 === 0) b.cluster.advanceSlot();
    return false;
  }, 'the slot stream');
}

/** An arbitrage agent that sends every dislocation as a bundle tipping 10 % of its gross. */
function agentOn(market: SolanaMarket) {
  const seen: MarketEvent[] = [];
  const decisions: DecisionRecord[] = [];
  const outcomes: SubmissionOutcome[] = [];
  const engine = createAgent({
    agentId: 'live-t',
    module: 'arb',
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
  const handle = (e: MarketEvent) => {
    seen.push(e);
    return engine.handle(e);
  };
  return { handle, seen, decisions, outcomes, sent };
}

describe('an agent on the live market', () => {
  it('reads the minimum tip per decision from the latest tip floor, never below 1,000 lamports', async () => {
    const { b, market } = await live({ tipFloorPollMs: 30 });
    await market.source.start(() => undefined);
    b.cluster.tipFloor = { ...b.cluster.tipFloor, landed_tips_25th_percentile: 0.00005 };
    await until(() => market.minTipLamports === 50_000, 'the minimum tip to follow the floor up');
    b.cluster.tipFloor = { ...b.cluster.tipFloor, landed_tips_25th_percentile: 0.0000001 };
    await until(() => market.minTipLamports === 1_000, 'the minimum tip to stop at Jito’s');
  });

  it('re-sends an opportunity still there once a slot, never twice in one slot', async () => {
    const { b, market } = await live();
    // Bundles stay Pending: without per-slot re-sending the pools would be held for landingMs.
    b.cluster.bundleFate = 'pending';
    const { handle, seen, sent, outcomes } = agentOn(market);
    await market.source.start(handle);
    await until(() => sent().length === 1, 'the first submission');
    await slotStreamUp(b, seen);
    await until(() => sent().length >= 2, 'the re-send in the first slot seen');
    const before = sent().length;
    for (let i = 1; i <= 3; i++) {
      b.cluster.advanceSlot();
      await until(() => sent().length === before + i, `the re-send in slot +${i}`);
    }
    // Every one went out (the block engine kept each Pending until its deadline).
    await until(() => outcomes.length === sent().length, 'every outcome');
    expect(outcomes.map((o) => o.failure)).toEqual(outcomes.map(() => 'expired'));
    expect(b.cluster.sent.filter((t) => t.via === 'sendBundle')).toHaveLength(sent().length);
    expect(sent()).toHaveLength(before + 3);
    const slots = sent().map((d) => d.opportunity.slot);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.slice(-3)).toEqual([2, 1, 0].map((i) => b.cluster.slot - i));
  });

  it('skips a submission whose legs no longer pay after the pool moved, and keeps running', async () => {
    const { b, market } = await live();
    b.cluster.bundleFate = 'pending';
    const { handle, seen, sent, outcomes } = agentOn(market);
    const state = { ended: false };
    const end = () => {
      state.ended = true;
    };
    market.source.ended.then(end, end);
    await market.source.start(handle);
    await until(() => sent().length === 1, 'the first submission');
    await slotStreamUp(b, seen);
    const first = sent()[0]?.submission as Submission;
    // The dear pool falls from $145 to $126: selling SOL there no longer pays.
    const [vault, data] = await vaultWithBalance(b.pools[1], 0, 2_300_000_000_000n);
    b.cluster.setAccount(vault, data);
    await until(
      () =>
        seen.some((e) => e.kind === 'pool' && e.pool.reserveA === 2_300_000_000_000n) &&
        market.stack.source.book.untradable(b.pools[1].address, Date.now()) === null,
      'the moved pool, tradable',
    );
    const sentBefore = b.cluster.sent.length;
    const stale = { ...first, id: `${first.id}-stale`, opportunityId: `${first.id}-stale` };
    const outcome = await market.executor.submit(stale);
    expect(outcome).toMatchObject({ landed: false, failure: 'market_condition', feeLamports: 0n });
    expect(b.cluster.sent.length).toBe(sentBefore);
    expect(b.lines.some((l) => l.includes(stale.id) && l.includes('not sent'))).toBe(true);
    // The source and the agent carry on: the next slot arrives and is handled.
    const slotsBefore = seen.filter((e) => e.kind === 'slot').length;
    b.cluster.advanceSlot();
    await until(() => seen.filter((e) => e.kind === 'slot').length > slotsBefore, 'the next slot');
    expect(state.ended).toBe(false);
    expect(outcomes.every((o) => o.failure !== 'market_condition' || !o.landed)).toBe(true);
  });

  it('turns LF_MARKET_CONDITION from anywhere on a route into an outcome; a malformed submission still rejects', async () => {
    const { b } = await live();
    const pipeline = b.stack.pipeline;
    const s = {
      id: 'mc-1',
      opportunityId: 'mc-1',
      module: 'arb',
      route: 'jito',
      legs: [],
      tipLamports: 1_000n,
      priorityFeeMicroLamports: 0n,
      computeUnitLimit: 1,
      transactions: 1,
      signatures: 1,
    } satisfies Submission;
    const outcome = await pipeline.run(s, () =>
      Promise.reject(new LandfallError('LF_MARKET_CONDITION', 'the pool moved under leg 1')),
    );
    expect(outcome).toMatchObject({ failure: 'market_condition', landed: false, feeLamports: 0n });
    expect(b.lines.some((l) => l.includes('the pool moved under leg 1'))).toBe(true);
    await expect(
      pipeline.run(s, () =>
        Promise.reject(new LandfallError('LF_MARKET_SUBMISSION_INVALID', 'no legs')),
      ),
    ).rejects.toThrow('no legs');
  });
});
