import type { ControlSigner } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import type { Logger } from '../log.js';
import { systemClock } from '../market/system-clock.js';
import type { Market, MarketSource, Module } from '../market/types.js';
import { grpcTokenOf, type LiveConfig } from './config.js';
import { fetchTipFloor, JITO_MIN_TIP_LAMPORTS, MinimumTip } from './feeds.js';
import { GrpcMarketSource } from './grpc/grpc-source.js';
import { loadWallet, type Wallet } from './keypair.js';
import { prepareLiveWallet } from './live-setup.js';
import { createLiveStack, type LiveStack, requireEndpoints } from './stack.js';
import { LAMPORTS_PER_SIGNATURE } from './transactions.js';

export { JITO_MIN_TIP_LAMPORTS };

export interface SolanaMarketOptions {
  readonly live: LiveConfig;
  readonly log: Logger;
  /** Modules the safety gate's daily-loss kill names. */
  readonly modules: readonly Module[];
  /** Build, sign and simulate; never send. */
  readonly dryRun: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Where the daily-loss kill goes (control-proto) and is audited. */
  readonly bus?: TypedBus;
  /**
   * Signs that kill (bus.control); called once the endpoints are complete, so a config missing
   * both reports the endpoints first.
   */
  readonly signer?: () => ControlSigner;
}

/** A market adapter whose live stack stays reachable (stage latencies, safety, tests). */
export interface SolanaMarket extends Market {
  readonly stack: LiveStack;
  readonly wallet: Wallet;
}

/**
 * Solana as a market adapter: the RPC/PubSub source, the Jito and direct executors (or the
 * dry-run simulator for both) behind the safety gate, on the system clock. The minimum tip — the
 * bottom of the tip ladder — follows the Jito tip floor: its 25th percentile as last polled
 * (read once at start, then from every tip-floor event the source delivers), never below Jito's
 * 1,000 lamports. Live never guesses a provider: every endpoint must be named
 * (LF_SOLANA_CONFIG otherwise).
 */
export async function openSolanaMarket(options: SolanaMarketOptions): Promise<SolanaMarket> {
  const { live, log } = options;
  const endpoints = requireEndpoints(live);
  const wallet = await loadWallet(live, options.env);
  const stack = createLiveStack({
    live,
    wallet,
    clock: systemClock,
    log,
    modules: options.modules,
    dryRun: options.dryRun,
    ...(options.bus === undefined ? {} : { bus: options.bus }),
    ...(options.signer === undefined ? {} : { signer: options.signer() }),
    ...grpcTokenOf(live, options.env),
  });
  await prepareLiveWallet({ stack, live, wallet, log, dryRun: options.dryRun });
  const floor = await fetchTipFloor(
    endpoints.tipFloorUrl,
    live.timeouts.requestMs,
    systemClock.now(),
  ).catch((err: unknown) => {
    log.warn(
      { err: (err as Error).message },
      'tip floor unavailable at start; minimum tip stays at the Jito minimum',
    );
    return undefined;
  });
  const minTip = floor?.landedTipLamports.p25 ?? JITO_MIN_TIP_LAMPORTS;
  return solanaMarketFrom(stack, { live, wallet, minTipLamports: minTip, dryRun: options.dryRun });
}

/**
 * The market face of a live stack already built (tests build theirs on a local cluster);
 * `minTipLamports` is the minimum tip until the source delivers its first tip floor.
 */
export function solanaMarketFrom(
  stack: LiveStack,
  o: { live: LiveConfig; wallet: Wallet; minTipLamports: number; dryRun: boolean },
): SolanaMarket {
  const { endpoints, source, safety } = stack;
  const caps = o.live.caps;
  const minTip = new MinimumTip(o.minTipLamports);
  // The source as the agent sees it: every tip floor it delivers also moves the minimum tip.
  const following: MarketSource = {
    start: (handler) =>
      source.start((event) => {
        if (event.kind === 'tipFloor') minTip.observe(event);
        return handler(event);
      }),
    stop: () => source.stop(),
    get ended() {
      return source.ended;
    },
  };
  return {
    stack,
    wallet: o.wallet,
    tag: `live-${o.wallet.address.slice(0, 8)}`,
    source: following,
    executor: stack.executor,
    clock: systemClock,
    get minTipLamports() {
      return minTip.lamports;
    },
    baseFeeLamports: Number(LAMPORTS_PER_SIGNATURE),
    // Sized within the cap, rather than sized freely and then refused by the safety gate.
    maxAmountIn: BigInt(caps.maxTradeLamports),
    describe: () => [
      source instanceof GrpcMarketSource
        ? `  market solana ${endpoints.rpcUrl} + gRPC ${endpoints.grpcUrl}: ${o.live.pools.length} Raydium CP-Swap pools, their swaps (backrun triggers), slots, leaders, fees`
        : `  market solana ${endpoints.rpcUrl} + ${endpoints.wsUrl}: ${o.live.pools.length} Raydium CP-Swap pools, slots, leaders, fees`,
      `  jito   ${endpoints.blockEngineUrl}/api/v1/bundles, tip floor ${endpoints.tipFloorUrl} (min tip: its p25, ≥ ${JITO_MIN_TIP_LAMPORTS} lamports; ${minTip.lamports} now)`,
      `  wallet ${o.wallet.address}${o.dryRun ? ' — DRY RUN: bundles and transactions are simulated, never sent' : ' — LIVE: real transactions'}`,
      `  safety max trade ${caps.maxTradeLamports}, daily loss limit ${caps.dailyLossLimitLamports} (kills via control-proto), balance floor ${caps.balanceFloorLamports} lamports; stale after ${o.live.timeouts.staleAfterMs} ms`,
    ],
    summary() {
      const s = source.stats;
      const d = stack.dryRun?.stats;
      return [
        ...(source instanceof GrpcMarketSource
          ? grpcSummary(stack as LiveStack<GrpcMarketSource>)
          : [
              `  market: ${s.poolEvents} pool updates, ${s.slotEvents} slots, ${source.pubsubStats.connects} connections, ${s.refreshFailures} failed refreshes`,
            ]),
        // Stream receive → event → decision → signed → sent, and each submission's own stages.
        `  stages: ${stack.pipeline.latency.describe()}`,
        `  safety: ${safety.stats.refused} refused, day P&L ${safety.dayProfitLamports} lamports${safety.stats.killed ? ', KILLED by the daily loss limit' : ''}`,
        ...(d === undefined
          ? []
          : [
              `  dry run: ${d.simulated} simulated (${d.bundles} bundles, ${d.transactions} transactions), ${d.succeeded} succeeded, ${d.failed} failed`,
            ]),
      ];
    },
    stop: () => source.stop(),
  };
}

function grpcSummary(stack: LiveStack<GrpcMarketSource>): string[] {
  const source = stack.source;
  const s = source.stats;
  const t = stack.backrunTiming?.stats;
  const d = source.deshred;
  const f = source.feed.stats;
  const lag = source.feed.lagSummary();
  const ev = source.eventLatency();
  return [
    `  market (gRPC): ${s.poolEvents} pool updates, ${source.triggers.stats.pendingSwaps} pending swaps, ${s.slotEvents} slots, ${f.connects} connections, ${f.drops} drops, ${f.replays} replays, ${source.triggers.stats.repeatedTransactions} repeated transactions skipped, ${s.refreshFailures} failed refreshes`,
    `  deshred: ${d.state}, ${source.triggers.stats.deshredSwaps} swaps seen before execution; backruns: ${t?.sameSlot ?? 0} for their target's leader, ${t?.later ?? 0} later, ${t?.notJitoLeader ?? 0} held (leader without Jito), ${t?.stale ?? 0} stale; Jito leaders from ${stack.jito.describe()}`,
    `  stream: lag p50 ${(lag.p50Us / 1000).toFixed(1)} ms p99 ${(lag.p99Us / 1000).toFixed(1)} ms max ${(lag.maxUs / 1000).toFixed(1)} ms, ${f.lagging} updates over live.grpc.maxLagMs; receive → event p50 ${ev.p50Us} µs p99 ${ev.p99Us} µs (${ev.count})`,
  ];
}
