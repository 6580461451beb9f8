import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import type { SlotEvent } from '../market/types.js';
import { until } from '../testing/until.js';
import { liveConfigSchema } from './config.js';
import { grpcTestbed } from './grpc/testing/grpc-bed.js';
import { jitoLeadersSource } from './jito-directory.js';
import { BlockEngineLeaders } from './jito-leaders.js';
import { LeaderSchedule } from './leaders.js';
import { decodeConnectedLeaders, GrpcStatusError } from './searcher-grpc.js';
import { createSolanaRpcClient } from './solana-rpc.js';
import { LocalCluster } from './testing/local-cluster.js';
import { LocalSearcher } from './testing/local-searcher.js';

/**
 * The leader schedule read per epoch from the RPC (getEpochInfo, getEpochSchedule,
 * getLeaderSchedule) across an epoch rollover, and which leaders run Jito as the block engine's
 * searcher service says (GetConnectedLeaders over gRPC, served by grpc-js on loopback), with the
 * configured list answering only while the block engine cannot.
 */
let cluster: LocalCluster | undefined;
let searcher: LocalSearcher | undefined;
afterEach(async () => {
  await cluster?.close();
  await searcher?.close();
  cluster = undefined;
  searcher = undefined;
});

const A = '7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2';
const B = 'GdnSyH3YtwcxFvQrVVJMm1JhTS4QVX7MFsX56uJLUfiZ';
const C = 'HFqU5x63VTqvQss8hp11i4wVV8bD44PvwucfZ2bU7gRe';
const EPOCH = 64;

/** Epochs of 64 slots; even epochs rotate A, B; odd epochs rotate C, A (4 slots each). */
async function shortEpochs() {
  const c = await LocalCluster.start();
  cluster = c;
  c.slotsPerEpoch = EPOCH;
  c.slot = 100 * EPOCH + 40;
  c.leaderOf = (slot) => {
    const turn = Math.floor((slot % EPOCH) / 4) % 2;
    return Math.floor(slot / EPOCH) % 2 === 0 ? (turn === 0 ? A : B) : turn === 0 ? C : A;
  };
  const rpc = createSolanaRpcClient({
    url: c.rpcUrl,
    timeoutMs: 5_000,
    rateLimitRetries: 0,
    backoffMs: 10,
  });
  const asked = () =>
    c.requests.filter((r) => r.method === 'getLeaderSchedule').map((r) => r.params[0]);
  return { c, rpc, asked };
}

describe('leader schedule per epoch', () => {
  it('reads each epoch once, the next one ahead, and follows a run across the boundary', async () => {
    const { c, rpc, asked } = await shortEpochs();
    const schedule = new LeaderSchedule(rpc, [A]);
    const epochs: bigint[] = [];
    schedule.onEpoch = (e) => void epochs.push(e);
    await schedule.start();
    expect(c.requests.some((r) => r.method === 'getEpochInfo')).toBe(true);
    // Epoch 100 (even) at once; epoch 101 read ahead in the background.
    await until(() => schedule.leaderAt(101 * EPOCH) !== undefined, 'epoch 101 read ahead');
    expect(asked()).toEqual([100 * EPOCH, 101 * EPOCH]);
    expect(epochs).toEqual([100n]);
    // Slot 40 of an even epoch: turn 10 → A (slots 40-43).
    expect(await schedule.at(100 * EPOCH + 40)).toEqual({
      leader: A,
      leaderRunsJito: true,
      leaderSlotsLeft: 3,
      nextLeader: B,
      nextLeaderRunsJito: false,
    });
    // The last run of epoch 100 (B, slots 60-63) is followed by epoch 101's first leader, C.
    const last = await schedule.at(100 * EPOCH + 62);
    expect(last).toMatchObject({ leader: B, leaderSlotsLeft: 1, nextLeader: C });
    // Lookups of held slots never ask the RPC again.
    const before = c.requests.length;
    for (let s = 100 * EPOCH; s < 102 * EPOCH; s++) expect(schedule.leaderAt(s)).toBeDefined();
    expect(schedule.leaderAt(101 * EPOCH)).toBe(C);
    expect(schedule.leaderAt(102 * EPOCH)).toBeUndefined();
    expect(c.requests.length).toBe(before);
    // Rollover: the cluster enters epoch 101; its schedule is already held, and 102 is read ahead.
    c.slot = 101 * EPOCH + 1;
    expect(await schedule.at(101 * EPOCH + 1)).toMatchObject({ leader: C, leaderSlotsLeft: 2 });
    expect(epochs).toEqual([100n, 101n]);
    await until(() => schedule.leaderAt(102 * EPOCH) !== undefined, 'epoch 102 read ahead');
    expect(asked()).toEqual([100 * EPOCH, 101 * EPOCH, 102 * EPOCH]);
    expect(schedule.leaderAt(102 * EPOCH)).toBe(A);
    expect(schedule.stats).toEqual({ epochsRead: 3, readFailures: 0 });
  });

  it('asks again for an epoch the cluster could not give yet', async () => {
    const { c, rpc, asked } = await shortEpochs();
    const schedule = new LeaderSchedule(rpc, undefined);
    // Two epochs ahead of the cluster: not fixed yet (null); the run's end cannot be read past.
    c.slot = 99 * EPOCH + 10;
    await expect(schedule.at(101 * EPOCH + 5)).rejects.toThrow(/no schedule for epoch 101/);
    expect(schedule.stats.readFailures).toBe(1);
    c.slot = 100 * EPOCH + 10;
    expect((await schedule.at(101 * EPOCH + 5)).leader).toBe(A);
    expect(asked().filter((s) => s === 101 * EPOCH)).toHaveLength(2);
  });
});

describe('Jito leaders from the block engine', () => {
  async function blockEngine(fallback: readonly string[] | undefined, nowMs = { v: 0 }) {
    const s = await LocalSearcher.start();
    searcher = s;
    const errors: Error[] = [];
    const leaders = new BlockEngineLeaders({
      url: s.url,
      timeoutMs: 5_000,
      refreshMs: 3_600_000,
      staleAfterMs: 1_000,
      fallback: fallback === undefined ? undefined : { runsJito: (id) => fallback.includes(id) },
      now: () => nowMs.v,
      onError: (err) => void errors.push(err),
    });
    return { s, leaders, errors, nowMs };
  }

  it('names the connected leaders and their slots; the schedule follows them', async () => {
    const { c, rpc } = await shortEpochs();
    const { s, leaders } = await blockEngine([B]);
    // Before the block engine answers, the configured list does.
    expect(leaders.runsJito(B)).toBe(true);
    expect(leaders.runsJito(A)).toBe(false);
    s.connected = new Map([[A, [100 * EPOCH + 40, 100 * EPOCH + 41]]]);
    await leaders.refresh();
    expect(s.calls).toBe(1);
    expect(leaders.told).toBe(true);
    expect(leaders.runsJito(A)).toBe(true);
    expect(leaders.runsJito(B)).toBe(false);
    expect(leaders.runsJitoAt(100 * EPOCH + 41)).toBe(true);
    expect(leaders.runsJitoAt(100 * EPOCH + 44)).toBeUndefined();
    expect(leaders.stats).toMatchObject({ refreshes: 1, connected: 1 });
    const schedule = new LeaderSchedule(rpc, leaders);
    expect(await schedule.at(c.slot)).toMatchObject({
      leader: A,
      leaderRunsJito: true,
      nextLeader: B,
      nextLeaderRunsJito: false,
    });
  });

  it('falls back on the list while the block engine cannot tell, and after its answer goes stale', async () => {
    const { s, leaders, errors, nowMs } = await blockEngine([B]);
    s.failWith = 12; // UNIMPLEMENTED: a block engine without the searcher service
    await leaders.refresh();
    expect(errors[0]).toBeInstanceOf(GrpcStatusError);
    expect((errors[0] as GrpcStatusError).grpcCode).toBe(12);
    expect(leaders.told).toBe(false);
    expect(leaders.runsJito(B)).toBe(true);
    expect(leaders.runsJitoAt(1)).toBeUndefined();
    s.failWith = undefined;
    s.connected = new Map([[A, []]]);
    await leaders.refresh();
    expect(leaders.runsJito(A)).toBe(true);
    // A failed refresh keeps the last answer until it is stale, then the list answers again.
    s.failWith = 16; // UNAUTHENTICATED
    await leaders.refresh();
    expect(leaders.runsJito(A)).toBe(true);
    nowMs.v = 1_001;
    expect(leaders.runsJito(A)).toBe(false);
    expect(leaders.runsJito(B)).toBe(true);
    expect(leaders.stats.failures).toBe(2);
  });

  it('is re-read when the schedule enters a new epoch (live.jitoLeadersFrom block-engine)', async () => {
    const { c, rpc } = await shortEpochs();
    const s = await LocalSearcher.start();
    searcher = s;
    s.connected = new Map([[C, []]]);
    const live = liveConfigSchema.parse({ blockEngineGrpcUrl: s.url, jitoLeaders: [A] });
    const jito = jitoLeadersSource({
      live,
      rpc,
      blockEngineUrl: c.rpcUrl,
      clock: { now: () => 0, schedule: () => () => undefined },
      log: createLogger('silent'),
    });
    const schedule = new LeaderSchedule(rpc, jito.directory);
    schedule.onEpoch = () => jito.refresh();
    await schedule.at(c.slot);
    await until(() => jito.blockEngine?.stats.refreshes === 1, 'the first refresh');
    expect(jito.directory?.runsJito(C)).toBe(true);
    expect(jito.directory?.runsJito(A)).toBe(false);
    c.slot = 101 * EPOCH;
    await schedule.at(c.slot);
    await until(() => jito.blockEngine?.stats.refreshes === 2, 'the refresh at the new epoch');
    expect(s.calls).toBe(2);
    expect(jito.describe()).toBe('block engine GetConnectedLeaders (1 connected)');
  });

  it("sets the live source's slot events from the block engine, over the configured list", async () => {
    const s = await LocalSearcher.start();
    searcher = s;
    const [listed, connected] = ['7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2', B];
    s.connected = new Map([[connected, []]]);
    const b = await grpcTestbed({
      extra: { jitoLeadersFrom: 'block-engine', blockEngineGrpcUrl: s.url, jitoLeaders: [listed] },
    });
    try {
      const slots: SlotEvent[] = [];
      await b.stack.source.start((e) => {
        if (e.kind === 'slot') slots.push(e);
      });
      await until(() => b.stack.jito.blockEngine?.told === true, 'the block engine told');
      // Eight slots: a run of each leader (four slots apiece).
      for (let i = 0; i < 8; i++) b.advance();
      await until(() => slots.length >= 8, 'eight slot events');
      const byLeader = new Map(slots.map((e) => [e.leader, e.leaderRunsJito]));
      expect(byLeader.get(connected)).toBe(true);
      expect(byLeader.get(listed)).toBe(false);
      expect(b.stack.jito.describe()).toBe('block engine GetConnectedLeaders (1 connected)');
    } finally {
      await b.close();
    }
  });

  it('decodes slot lists sent unpacked, and skips fields it does not know', () => {
    // Entry { key "x", value SlotList { slots: 5, slots: 300 (unpacked) } }, then field 9.
    const slotList = [0x08, 0x05, 0x08, 0xac, 0x02];
    const entry = [0x0a, 0x01, 0x78, 0x12, slotList.length, ...slotList];
    const bytes = new Uint8Array([0x0a, entry.length, ...entry, 0x48, 0x01]);
    expect(decodeConnectedLeaders(bytes)).toEqual(new Map([['x', [5, 300]]]));
  });
});
