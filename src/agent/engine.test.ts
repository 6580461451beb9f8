import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Executor, MarketEvent, PoolSnapshot, Submission } from '../market/types.js';
import { WSOL_MINT } from '../market/types.js';
import { createSimMarket } from '../sim/index.js';
import { createAgent, type PolicyPair } from './assemble.js';
import { DEFAULT_AGENT_SETTINGS } from './config.js';
import type { DecisionRecord } from './engine.js';

const pool = (id: string, sol: bigint, token: bigint, feeBps: number): PoolSnapshot => ({
  id,
  venue: id,
  mintA: WSOL_MINT,
  mintB: 'T',
  reserveA: sol,
  reserveB: token,
  feeBps,
});

/** Accepts everything and never answers: the engine's decisions are what is under test. */
function recordingExecutor(): Executor & { submissions: Submission[] } {
  const submissions: Submission[] = [];
  const submit = (s: Submission): Promise<never> => {
    submissions.push(s);
    return new Promise(() => undefined);
  };
  return { submissions, submit };
}

const policies: PolicyPair[] = [
  { kind: 'landfall' },
  { kind: 'baseline' },
  { kind: 'fixed', tipShare: 0.9, route: 'jito' },
  { kind: 'fixed', tipShare: 0.1, route: 'direct' },
];

describe('engine', () => {
  it('never submits an opportunity whose expected net profit is negative', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...policies),
        fc.bigInt({ min: 10n ** 9n, max: 10n ** 12n }),
        fc.integer({ min: 1_000, max: 1_030 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 5e6, noNaN: true }),
        (policy, sol, skew, feeBps, priorityFee) => {
          const executor = recordingExecutor();
          const decisions: DecisionRecord[] = [];
          const agent = createAgent({
            agentId: 't',
            module: 'arb',
            // The simulator's defaults: Jito's minimum tip, 5,000 lamports a signature.
            market: { executor, minTipLamports: 1_000, baseFeeLamports: 5_000 },
            policy,
            // Every dislocation becomes a decision, down to a lamport of gross profit.
            settings: { ...DEFAULT_AGENT_SETTINGS, minProfitLamports: 1, minScore: 0 },
            observers: [{ onDecision: (r) => decisions.push(r) }],
          });
          const events: MarketEvent[] = [
            {
              kind: 'fees',
              atMs: 0,
              slot: 1,
              congestion: 0.5,
              priorityFeeMicroLamports: {
                p25: 1,
                p50: 1,
                p75: 1,
                p95: priorityFee,
                p99: priorityFee,
              },
            },
            { kind: 'pool', atMs: 0, slot: 1, pool: pool('a', sol, sol * 1000n, feeBps) },
            {
              kind: 'pool',
              atMs: 0,
              slot: 1,
              pool: pool('b', sol, (sol * 1000n * BigInt(skew)) / 1000n, feeBps),
            },
          ];
          for (const e of events) agent.handle(e);
          for (const r of decisions) {
            const gross = r.opportunity.grossProfitLamports;
            if (r.decision === 'submitted') {
              expect(gross - r.tipLamports - r.feeLamports).toBeGreaterThan(0n);
              expect(r.expectedNetLamports).toBeGreaterThan(0);
            } else if (gross - r.tipLamports - r.feeLamports <= 0n) {
              expect(r.decision).toBe('skipped_negative_ev');
            }
          }
          expect(executor.submissions.length).toBe(
            decisions.filter((d) => d.decision === 'submitted').length,
          );
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });

  it('on the simulator: backruns always land after their target, arbs name none', async () => {
    const market = createSimMarket({ config: { seed: 4 }, durationMs: 3 * 60_000 });
    const pending = new Map<string, string>();
    const records: DecisionRecord[] = [];
    const observers = [{ onDecision: (r: DecisionRecord) => void records.push(r) }];
    const common = { market, policy: { kind: 'landfall' } as const, observers };
    const arb = createAgent({ ...common, agentId: 'arb', module: 'arb' });
    const mev = createAgent({ ...common, agentId: 'mev', module: 'mev' });
    await market.simulator.run((event) => {
      if (event.kind === 'pendingSwap') pending.set(event.signature, event.pool);
      arb.handle(event);
      mev.handle(event);
    });
    const sent = records.filter((r) => r.decision === 'submitted');
    expect(sent.filter((r) => r.opportunity.module === 'mev').length).toBeGreaterThan(0);
    expect(sent.filter((r) => r.opportunity.module === 'arb').length).toBeGreaterThan(0);
    for (const r of sent) {
      const s = r.submission as Submission;
      expect(r.expectedNetLamports).toBeGreaterThan(0);
      if (s.module === 'arb') {
        expect(s.afterSignature).toBeUndefined();
        continue;
      }
      // Placed after a pending swap that was seen, and trading the pool that swap moves.
      const target = pending.get(s.afterSignature ?? '');
      expect(target).toBeDefined();
      expect(s.legs.map((l) => l.pool)).toContain(target);
    }
    expect(arb.hotPath.totalCount + mev.hotPath.totalCount).toBe(sent.length);
  });
});
