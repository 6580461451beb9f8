import { createAgent } from '../../agent/assemble.js';
import { DEFAULT_AGENT_SETTINGS } from '../../agent/config.js';
import type { MarketEvent, SubmissionOutcome } from '../../market/types.js';
import { grpcTestbed } from '../../solana/grpc/testing/grpc-bed.js';
import { swapUpdate } from '../../solana/grpc/testing/swap-transaction.js';
import { solanaMarketFrom } from '../../solana/market.js';
import {
  decodePoolState,
  encodePoolState,
  RAYDIUM_CP_PROGRAM,
} from '../../solana/raydium-cp-layout.js';
import { vaultWithBalance } from '../../solana/testing/pool-fixtures.js';
import { until } from '../../testing/until.js';
import type { BenchRow } from '../harness.js';
import { measureThroughput } from '../stats.js';

/**
 * The gRPC feed's own costs on loopback (a Geyser server in-process, the real client over
 * HTTP/2): `grpc.stream_to_event` — a streamed account update, as the client hands it over, to
 * the pool event given to the agent (decode, slot-aware book, exact pool view); and
 * `grpc.tx_to_backrun_signed` — a streamed swap transaction to the mev agent's backrun signed
 * (decode, exact pricing, strategy, scorer, tip and route, build and sign; the shape sized once);
 * `leaders.slot_lookup` — a slot's leader from the epoch's schedule as held (an index, O(1)).
 */
const UPDATES = 300;
const BACKRUNS = 100;

export async function grpcFeedRows(): Promise<BenchRow[]> {
  const bed = await grpcTestbed({
    dryRun: true,
    modules: ['mev'],
    extra: {
      tipFloorPollMs: 3_600_000,
      priorityFeePollMs: 3_600_000,
      blockhashRefreshMs: 3_600_000,
      timeouts: { staleAfterMs: 600_000 },
    },
  });
  try {
    const market = solanaMarketFrom(bed.stack, {
      live: bed.config,
      wallet: bed.wallet,
      minTipLamports: 1_000,
      dryRun: true,
    });
    const outcomes: SubmissionOutcome[] = [];
    const engine = createAgent({
      agentId: 'bench-grpc',
      module: 'mev',
      market,
      policy: { kind: 'fixed', tipShare: 0.1, route: 'jito' },
      settings: { ...DEFAULT_AGENT_SETTINGS, minProfitLamports: 1, minScore: 0 },
      observers: [{ onOutcome: (o) => void outcomes.push(o) }],
    });
    let slots = 0;
    await market.source.start((e: MarketEvent) => {
      if (e.kind === 'slot') slots++;
      return engine.handle(e);
    });
    const source = bed.stack.source;
    // Account updates: whole swaps (state and both vaults at one slot), each one pool event.
    const p = bed.pools[0];
    const state = decodePoolState(p.accounts.get(p.address) as Uint8Array, 'bench');
    const before = source.stats.poolEvents;
    for (let i = 1; i <= UPDATES; i++) {
      bed.advance();
      const slot = bed.cluster.slot;
      const bumped = encodePoolState({
        ...state,
        protocolFeesToken0: state.protocolFeesToken0 + BigInt(i),
      });
      const [v0, d0] = await vaultWithBalance(p, 0, 25_000_041_000_000n + BigInt(i) * 1_000n);
      bed.geyser.account(p.address, RAYDIUM_CP_PROGRAM, bumped, slot);
      bed.geyser.account(v0, bed.cluster.owners.get(v0) as string, d0, slot);
      const v1 = p.state.token1Vault;
      const held1 = bed.cluster.accounts.get(v1) as Uint8Array;
      bed.geyser.account(v1, bed.cluster.owners.get(v1) as string, held1, slot);
    }
    await until(() => source.stats.poolEvents >= before + UPDATES, 'every streamed swap');
    const toEvent = source.eventLatency();
    // Swap transactions on the dear pool, one a slot (a bundle's pools are held for its slot).
    const dear = bed.pools[1];
    const wsolIs0 = dear.state.token0Mint === 'So11111111111111111111111111111111111111112';
    for (let i = 0; i < BACKRUNS; i++) {
      const seenSlots = slots;
      bed.advance();
      await until(() => slots > seenSlots, 'the slot event');
      const done = outcomes.length;
      const swap = await swapUpdate({
        pool: dear,
        direction: wsolIs0 ? 'aToB' : 'bToA',
        amountIn: 2_000_000_000_000n,
        slot: bed.cluster.slot,
      });
      bed.geyser.send(swap.update, bed.cluster.slot);
      await until(() => outcomes.length > done, 'the backrun');
    }
    const leaders = bed.stack.leaders;
    const first = bed.cluster.slot;
    let k = 0;
    const lookup = measureThroughput(
      () => {
        if (leaders.leaderAt(first + (k++ % 256)) === undefined)
          throw new Error('bench: a held slot has no leader');
      },
      { batches: 40, batchSize: 50_000 },
    );
    const signed = bed.stack.pipeline.latency.summary().triggerSigned;
    if (signed === undefined || signed.count < BACKRUNS)
      throw new Error(`bench: ${signed?.count ?? 0}/${BACKRUNS} backruns were signed`);
    return [
      { name: 'grpc.stream_to_event', metric: 'p50_us', value: toEvent.p50Us, unit: 'us' },
      { name: 'grpc.stream_to_event', metric: 'p99_us', value: toEvent.p99Us, unit: 'us' },
      {
        name: 'grpc.tx_to_backrun_signed',
        metric: 'p50_us',
        value: signed.p50Ms * 1_000,
        unit: 'us',
      },
      {
        name: 'grpc.tx_to_backrun_signed',
        metric: 'p99_us',
        value: signed.p99Ms * 1_000,
        unit: 'us',
      },
      { name: 'leaders.slot_lookup', metric: 'p50_ns', value: lookup.nsPerOpP50, unit: 'ns/op' },
      { name: 'leaders.slot_lookup', metric: 'p99_ns', value: lookup.nsPerOpP99, unit: 'ns/op' },
    ];
  } finally {
    await bed.close();
  }
}
