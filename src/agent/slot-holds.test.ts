import { describe, expect, it } from 'vitest';
import type {
  Executor,
  MarketEvent,
  PoolSnapshot,
  SlotEvent,
  Submission,
  SubmissionOutcome,
} from '../market/types.js';
import { WSOL_MINT } from '../market/types.js';
import { createAgent } from './assemble.js';
import { DEFAULT_AGENT_SETTINGS } from './config.js';

/**
 * Per-slot re-sending: a pool is held for the slot it was sent in, not until the outcome. The
 * executor here never answers unless told to, so only the engine's holding decides.
 */
const pool = (id: string, token: bigint): PoolSnapshot => ({
  id,
  venue: id,
  mintA: WSOL_MINT,
  mintB: 'T',
  reserveA: 10n ** 12n,
  reserveB: token,
  feeBps: 25,
});
const slotEvent = (slot: number): SlotEvent => ({
  kind: 'slot',
  atMs: slot * 400,
  slot,
  leader: 'L',
  leaderRunsJito: true,
  leaderSlotsLeft: 3,
  nextLeader: 'L',
  nextLeaderRunsJito: true,
});
const poolEvent = (slot: number, p: PoolSnapshot): MarketEvent => ({
  kind: 'pool',
  atMs: slot * 400,
  slot,
  pool: p,
});

function agent(route: 'jito' | 'direct' = 'jito') {
  const sent: Submission[] = [];
  const answers = new Map<string, (o: SubmissionOutcome) => void>();
  const executor: Executor = {
    submit: (s) => {
      sent.push(s);
      return new Promise((resolve) => answers.set(s.id, resolve));
    },
  };
  const engine = createAgent({
    agentId: 't',
    module: 'arb',
    market: { executor, minTipLamports: 1_000, baseFeeLamports: 5_000 },
    policy: { kind: 'fixed', tipShare: 0.1, route },
    settings: { ...DEFAULT_AGENT_SETTINGS, minProfitLamports: 1, minScore: 0 },
  });
  return { engine, sent, answers };
}

const a = pool('a', 10n ** 15n);
const b = pool('b', 102n * 10n ** 13n);

describe('per-slot re-sending', () => {
  it('sends an opportunity still there once a slot, never twice in one slot', () => {
    const { engine, sent } = agent();
    engine.handle(slotEvent(1));
    engine.handle(poolEvent(1, a));
    engine.handle(poolEvent(1, b));
    expect(sent).toHaveLength(1);
    // The same pools again in the same slot: held.
    engine.handle(poolEvent(1, b));
    expect(sent).toHaveLength(1);
    // A new slot, the dislocation unchanged, the first submission still undecided: sent again.
    engine.handle(slotEvent(2));
    expect(sent).toHaveLength(2);
    engine.handle(poolEvent(2, b));
    expect(sent).toHaveLength(2);
    engine.handle(slotEvent(3));
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.id)).size).toBe(3);
    expect(sent.map((s) => s.legs.map((l) => l.pool).join())).toEqual(['b,a', 'b,a', 'b,a']);
  });

  it('stops once the opportunity is gone or has landed', async () => {
    const { engine, sent, answers } = agent();
    engine.handle(slotEvent(1));
    engine.handle(poolEvent(1, a));
    engine.handle(poolEvent(1, b));
    expect(sent).toHaveLength(1);
    // The pools meet again (someone else closed the gap): nothing left to re-send.
    engine.handle(poolEvent(1, pool('b', 10n ** 15n)));
    engine.handle(slotEvent(2));
    expect(sent).toHaveLength(1);

    engine.handle(poolEvent(2, b));
    expect(sent).toHaveLength(2);
    const last = sent[1] as Submission;
    answers.get(last.id)?.({
      submissionId: last.id,
      opportunityId: last.opportunityId,
      module: 'arb',
      route: 'jito',
      landed: true,
      slot: 2,
      leader: 'L',
      profitLamports: 1_000n,
      tipLamports: last.tipLamports,
      feeLamports: 5_000n,
      failure: null,
      latencyMs: 1,
      atMs: 900,
    });
    await new Promise((r) => setImmediate(r));
    // Landed: the trade took it; only the pools' next update can raise it again.
    engine.handle(slotEvent(3));
    expect(sent).toHaveLength(2);
  });

  it('a direct transaction holds its pools until its outcome: no second copy while it may land', async () => {
    const { engine, sent, answers } = agent('direct');
    engine.handle(slotEvent(1));
    engine.handle(poolEvent(1, a));
    engine.handle(poolEvent(1, b));
    expect(sent).toHaveLength(1);
    engine.handle(slotEvent(2));
    engine.handle(poolEvent(2, b));
    engine.handle(slotEvent(3));
    expect(sent).toHaveLength(1);
    const first = sent[0] as Submission;
    answers.get(first.id)?.({
      submissionId: first.id,
      opportunityId: first.opportunityId,
      module: 'arb',
      route: 'direct',
      landed: false,
      slot: 0,
      leader: '',
      profitLamports: 0n,
      tipLamports: 0n,
      feeLamports: 0n,
      failure: 'expired',
      latencyMs: 1,
      atMs: 1_200,
    });
    await new Promise((r) => setImmediate(r));
    // Its outcome known, the pools are free: the next update may send again.
    engine.handle(poolEvent(3, b));
    expect(sent).toHaveLength(2);
  });
});
