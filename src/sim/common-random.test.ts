import { describe, expect, it } from 'vitest';
import type { Submission, SubmissionOutcome } from '../market/types.js';
import { Simulator } from './simulator.js';

const SEED = 9;
const MINUTES = 3;
/** A pool every default market has. */
const POOL = 'raydium:JUP-SOL';
const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

/**
 * A submission that can never execute (its one leg asks for more than any pool returns): it
 * reaches the auction or the leader and takes its draws, but never moves a pool, so it cannot
 * change the market anyone else trades on. Only the randomness it consumes could.
 */
function inert(id: string, route: 'jito' | 'direct'): Submission {
  return {
    id,
    opportunityId: id,
    module: 'arb',
    route,
    legs: [{ pool: POOL, direction: 'bToA', amountIn: 1_000_000n, minAmountOut: 1n << 100n }],
    tipLamports: route === 'jito' ? 5_000_000n : 0n,
    priorityFeeMicroLamports: route === 'direct' ? 1_000_000n : 0n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
  };
}

/**
 * One run where the agent sends an inert bundle and an inert direct transaction at every slot
 * `sendAt` accepts; returns every rival outcome in order and the agent's outcomes by id.
 */
async function run(sendAt: (slot: number) => boolean) {
  const rivals: string[] = [];
  const agent = new Map<string, SubmissionOutcome>();
  const sim = new Simulator(
    { seed: SEED },
    {
      durationMs: MINUTES * 60_000,
      observe: (who, o) => {
        if (who !== 'agent') rivals.push(`${who} ${json(o)}`);
      },
    },
  );
  await sim.run((event) => {
    if (event.kind !== 'slot' || !sendAt(event.slot)) return;
    for (const route of ['jito', 'direct'] as const) {
      const sub = inert(`${route}-${event.slot}`, route);
      void sim.executor.submit(sub).then((o) => agent.set(sub.id, o));
    }
  });
  return { rivals, agent };
}

/**
 * Rival outcomes on pools other than `token`'s, in order, with the counters that name them
 * (submission and opportunity ids count everything before them) left out.
 */
async function rivalsAwayFrom(token: string, trade: Submission | undefined) {
  const away: string[] = [];
  let touched = 0;
  const sim = new Simulator(
    { seed: SEED },
    {
      durationMs: MINUTES * 60_000,
      observe: (who, o, sub) => {
        if (who === 'agent') return;
        if (sub.legs.some((l) => l.pool.includes(`:${token}-`))) {
          touched++;
          return;
        }
        const { submissionId: _, opportunityId: __, ...rest } = o;
        away.push(`${who} ${json(rest)}`);
      },
    },
  );
  let sent = false;
  await sim.run((event) => {
    if (trade === undefined || sent || event.kind !== 'slot') return;
    if (event.slot < sim.config.chain.startSlot + 20 || !event.leaderRunsJito) return;
    sent = true;
    void sim.executor.submit(trade);
  });
  return { away, touched, sent };
}

describe('common random numbers', () => {
  it("a trade that moves one token's pools leaves the rivals' play on other tokens as it was", async () => {
    // A large buy (minimum out 0, so it executes): it dislocates JUP's pools, so the market opens (and rivals chase)
    // different JUP opportunities from then on.
    const buy: Submission = {
      ...inert('big-buy', 'jito'),
      legs: [{ pool: POOL, direction: 'bToA', amountIn: 200_000_000_000n, minAmountOut: 0n }],
    };
    const quiet = await rivalsAwayFrom('JUP', undefined);
    const moved = await rivalsAwayFrom('JUP', buy);
    expect(moved.sent).toBe(true);
    expect(quiet.away.length).toBeGreaterThan(50);
    expect(moved.touched).not.toBe(quiet.touched);
    expect(moved.away).toEqual(quiet.away);
  });

  it("an agent's extra submissions shift neither the rivals' luck nor its other submissions'", async () => {
    const none = await run(() => false);
    const some = await run((slot) => slot % 4 === 0);
    const more = await run((slot) => slot % 2 === 0);
    expect(none.rivals.length).toBeGreaterThan(50);
    // Both routes were exercised: bundles reached auctions, direct transactions a leader.
    const failures = new Set([...some.agent.values()].map((o) => `${o.route}:${o.failure}`));
    expect(failures.has('direct:slippage') || failures.has('direct:rival_first')).toBe(true);
    expect([...failures].some((f) => f.startsWith('jito:') && f !== 'jito:not_jito_leader')).toBe(
      true,
    );
    // Clearing tips drawn for ticks that only the agent bid on, direct delays and inclusions
    // drawn for the agent: none of it moves a rival's outcome.
    expect(some.rivals).toEqual(none.rivals);
    expect(more.rivals).toEqual(none.rivals);
    // The submissions both runs sent meet the same luck, though `more` sent twice as many.
    expect(some.agent.size).toBeGreaterThan(20);
    for (const [id, outcome] of some.agent) expect(more.agent.get(id)).toEqual(outcome);
  });
});
