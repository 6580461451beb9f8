import { describe, expect, it } from 'vitest';
import type { Route, Submission } from '../market/types.js';
import { BackrunTiming } from './backrun-timing.js';
import type { LeaderInfo } from './leaders.js';

/**
 * A backrun goes out for its target's slot when that slot's leader allows it: a bundle only
 * with a Jito leader, a direct transaction with any; never for a slot before its target's, and
 * not at all once its target's leader has gone and it is stale.
 */
const JITO = 'J1to1111111111111111111111111111111111111111';
const PLAIN = 'P1ain111111111111111111111111111111111111111';

/** Slots 100-103 led by JITO, 104-107 by PLAIN, 108-111 by JITO, … */
function leaderAt(slot: number): Promise<LeaderInfo> {
  const jito = Math.floor(slot / 4) % 2 === 1;
  return Promise.resolve({
    leader: jito ? JITO : PLAIN,
    leaderRunsJito: jito,
    leaderSlotsLeft: 3 - (slot % 4),
    nextLeader: jito ? PLAIN : JITO,
    nextLeaderRunsJito: !jito,
  });
}

function backrun(route: Route, target = 'target'): Submission {
  return {
    id: 's',
    opportunityId: 'o',
    module: 'mev',
    route,
    legs: [],
    tipLamports: route === 'jito' ? 1_000n : 0n,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 200_000,
    transactions: 1,
    signatures: 1,
    afterSignature: target,
  };
}

function timing(current: number, target: number | undefined) {
  return new BackrunTiming({
    leaderAt,
    currentSlot: () => current,
    targetSlot: (s) => (s === 'target' ? target : undefined),
    maxSlotsLate: 4,
  });
}

describe('backrun timing', () => {
  it("sends a bundle into the target's slot while its Jito leader holds it", async () => {
    const t = timing(101, 101);
    expect(await t.verdict(backrun('jito'))).toEqual({
      send: true,
      slot: 101,
      sameSlot: true,
      leader: JITO,
    });
    // The source a slot ahead, the same leader's run: still its block.
    expect(await timing(103, 101).verdict(backrun('jito'))).toMatchObject({ sameSlot: true });
    expect(t.stats.sameSlot).toBe(1);
  });

  it('never aims before the target: a source behind the target lands in its slot', async () => {
    expect(await timing(99, 101).verdict(backrun('jito'))).toMatchObject({
      send: true,
      slot: 101,
    });
  });

  it('holds a bundle back from a leader that does not run Jito; a direct one goes', async () => {
    const t = timing(105, 105);
    expect(await t.verdict(backrun('jito'))).toMatchObject({
      send: false,
      failure: 'not_jito_leader',
      slot: 105,
    });
    expect(await t.verdict(backrun('direct'))).toMatchObject({
      send: true,
      sameSlot: true,
      leader: PLAIN,
    });
    expect(t.stats.notJitoLeader).toBe(1);
  });

  it("sends later than the target's leader only within maxSlotsLate, then calls it stale", async () => {
    // Target in 102 (JITO's run ends at 103); the source at 104 (PLAIN): later, direct goes.
    expect(await timing(104, 102).verdict(backrun('direct'))).toMatchObject({
      send: true,
      sameSlot: false,
    });
    const stale = timing(109, 102);
    expect(await stale.verdict(backrun('jito'))).toMatchObject({
      send: false,
      failure: 'expired',
      slot: 109,
    });
    expect(stale.stats.stale).toBe(1);
  });

  it('refuses a target the source no longer holds, and leaves other submissions alone', async () => {
    const t = timing(101, undefined);
    expect(await t.verdict(backrun('jito'))).toMatchObject({
      send: false,
      failure: 'market_condition',
    });
    const { afterSignature: _, ...arb } = backrun('jito');
    expect(await t.verdict({ ...arb, module: 'arb' })).toBeUndefined();
  });
});
