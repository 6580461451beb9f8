import type { ControlSigner } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import { LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Executor, Module, Submission, SubmissionOutcome } from '../market/types.js';
import { BackrunTiming } from './backrun-timing.js';
import { BlockEngine } from './block-engine.js';
import { endpointsOf, type LiveConfig, type LiveEndpoints } from './config.js';
import { DirectExecutor } from './direct-executor.js';
import { DryRunExecutor } from './dry-run-executor.js';
import { type GeyserConnector, yellowstoneConnector } from './grpc/geyser-client.js';
import { GrpcMarketSource } from './grpc/grpc-source.js';
import { type JitoLeadersSource, jitoLeadersSource } from './jito-directory.js';
import { JitoExecutor } from './jito-executor.js';
import { JsonRpcClient } from './json-rpc.js';
import type { Wallet } from './keypair.js';
import { StageLatency, type StageWindow } from './latency.js';
import { LeaderSchedule } from './leaders.js';
import { WalletLookupTable } from './lookup-table.js';
import { LiveMarketSource } from './market-source.js';
import { SubmissionPipeline } from './pipeline.js';
import { SafetyGate } from './safety.js';
import { createSolanaRpcClient, type SolanaRpcClient } from './solana-rpc.js';
import { WalletBalance } from './wallet-balance.js';

/**
 * The live adapters wired together: one Solana RPC client (kit's, see solana-rpc.ts), the
 * market source (which owns the pool book every executor reads), the safety gate, and the
 * executor the agents get — Jito and direct by route, or the dry-run simulator for both.
 */
export interface LiveStackOptions {
  readonly live: LiveConfig;
  readonly wallet: Wallet;
  readonly clock: Clock;
  readonly log: Logger;
  readonly modules: readonly Module[];
  readonly dryRun: boolean;
  /** Where the daily-loss kill goes (control-proto) and is audited. */
  readonly bus?: TypedBus;
  /** Signs that kill (bus.control). */
  readonly signer?: ControlSigner;
  /** The gRPC endpoint's `x-token` (from `live.grpcTokenEnv`), for `feed: grpc`. */
  readonly grpcToken?: string;
  /** For `feed: grpc`: how to reach the stream (default: Yellowstone's client at `grpcUrl`). */
  readonly geyser?: GeyserConnector;
}

/** The market source a live stack runs: PubSub or a Geyser gRPC stream (`live.feed`). */
export type LiveSource = LiveMarketSource | GrpcMarketSource;

export interface LiveStack<S extends LiveSource = LiveSource> {
  readonly endpoints: LiveEndpoints;
  readonly rpc: SolanaRpcClient;
  readonly source: S;
  readonly blockEngine: BlockEngine;
  readonly pipeline: SubmissionPipeline;
  readonly safety: SafetyGate;
  /** The wallet's SOL and WSOL, from its own account subscriptions (the safety gate reads it). */
  readonly balance: WalletBalance;
  /** The wallet's lookup table once the setup path has loaded it. */
  readonly lookupTables: WalletLookupTable;
  readonly executor: Executor;
  /** Set in dry-run mode: what was simulated. */
  readonly dryRun?: DryRunExecutor;
  /** Set for `feed: grpc`: when backruns went out against their targets' slots. */
  readonly backrunTiming?: BackrunTiming;
  /** Which leaders run Jito, and from where. */
  readonly jito: JitoLeadersSource;
  /** Who leads each slot, per epoch (the source's slot events and the outcomes read it). */
  readonly leaders: LeaderSchedule;
}

/** Refuses (LF_SOLANA_CONFIG) unless every endpoint is named: live never guesses a provider. */
export function requireEndpoints(live: LiveConfig): LiveEndpoints {
  const e = endpointsOf(live);
  if (Array.isArray(e)) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `live mode needs every endpoint named in the config; missing: ${e.join(', ')}`,
    );
  }
  return e;
}

export function createLiveStack(options: LiveStackOptions): LiveStack {
  const { live, wallet, clock, log } = options;
  const endpoints = requireEndpoints(live);
  const t = live.timeouts;
  const rpcOptions = (url: string) => ({
    url,
    timeoutMs: t.requestMs,
    rateLimitRetries: t.rateLimitRetries,
    backoffMs: t.reconnectMinMs,
  });
  const rpc = createSolanaRpcClient(rpcOptions(endpoints.rpcUrl));
  // Which leaders run Jito (live.jitoLeadersFrom), and who leads each slot: one schedule for the
  // source's slot events and the executors' outcomes alike.
  const jito = jitoLeadersSource({
    live,
    rpc,
    blockEngineUrl: endpoints.blockEngineUrl,
    clock,
    log,
  });
  const leaders = new LeaderSchedule(rpc, jito.directory);
  // One set of stage timings for the stream and the submissions (telemetry takes it per module).
  const latency = new StageLatency();
  leaders.onEpoch = () => jito.refresh();
  const source: LiveSource =
    live.feed === 'grpc'
      ? new GrpcMarketSource({
          rpc,
          connector:
            options.geyser ?? yellowstoneConnector(endpoints.grpcUrl as string, options.grpcToken),
          tipFloorUrl: endpoints.tipFloorUrl,
          config: live,
          clock,
          log,
          leaders,
          latency,
        })
      : new LiveMarketSource({
          rpc,
          wsUrl: endpoints.wsUrl,
          tipFloorUrl: endpoints.tipFloorUrl,
          config: live,
          clock,
          log,
          leaders,
        });
  const blockEngine = new BlockEngine(endpoints.blockEngineUrl, {
    timeoutMs: t.requestMs,
    rateLimitRetries: t.rateLimitRetries,
    tipAccountsTtlMs: live.tipAccountsTtlMs,
  });
  // The wallet's SOL and WSOL from its own account subscriptions: no read per submission.
  const balance = new WalletBalance({
    rpc,
    wsUrl: endpoints.wsUrl,
    owner: wallet.address,
    commitment: live.commitment,
    reconnectMinMs: t.reconnectMinMs,
    reconnectMaxMs: t.reconnectMaxMs,
    pingMs: Math.max(500, Math.floor(t.staleAfterMs / 2)),
    subscribeTimeoutMs: t.requestMs,
    log,
  });
  const stopBalance = () => {
    balance.stop();
    jito.stop();
  };
  source.ended.then(stopBalance, stopBalance);
  jito.start();
  const safety = new SafetyGate({
    caps: live.caps,
    pools: source.book,
    clock,
    log,
    modules: options.modules,
    ...(options.bus === undefined ? {} : { bus: options.bus }),
    ...(options.signer === undefined ? {} : { signer: options.signer }),
    spendable: () => balance.spendable(),
  });
  const lookupTables = new WalletLookupTable();
  const backrunTiming =
    source instanceof GrpcMarketSource
      ? new BackrunTiming({
          leaderAt: (slot) => leaders.at(slot),
          currentSlot: () => source.slot,
          targetSlot: (signature) => source.triggers.pending.slotOf(signature),
          maxSlotsLate: live.grpc.backrunMaxSlotsLate,
        })
      : undefined;
  const pipeline = new SubmissionPipeline({
    rpc,
    wallet,
    pools: source.book,
    safety,
    clock,
    log,
    computeUnitMargin: live.computeUnitMargin,
    commitment: live.commitment,
    profitMarginLamports: BigInt(live.profitMarginLamports),
    chainToleranceBps: live.chainToleranceBps,
    blockhashRefreshMs: live.blockhashRefreshMs,
    tipAccount: () => blockEngine.tipAccount(),
    lookupTables: () => lookupTables.current,
    leaderOf: async (slot) => (await leaders.at(slot)).leader,
    latency,
    ...(source instanceof GrpcMarketSource
      ? {
          poolsAfter: (signature: string) => source.triggers.pending.after(signature),
          triggerMark: (signature: string) => source.triggers.pending.markOf(signature),
        }
      : {}),
    ...(backrunTiming === undefined ? {} : { backrunTiming }),
  });
  const landing = { landingMs: t.landingMs, pollMs: t.statusPollMs };
  const parts = {
    endpoints,
    rpc,
    source,
    blockEngine,
    pipeline,
    safety,
    balance,
    lookupTables,
    jito,
    leaders,
    ...(backrunTiming === undefined ? {} : { backrunTiming }),
  };
  if (options.dryRun) {
    const dryRun = new DryRunExecutor({
      pipeline,
      bundleRpc: new JsonRpcClient(rpcOptions(endpoints.simulateBundleUrl)),
      simulationRpc: createSolanaRpcClient(rpcOptions(endpoints.simulateBundleUrl)),
    });
    return { ...parts, executor: dryRun, dryRun };
  }
  const executor = new RoutedExecutor(
    {
      jito: new JitoExecutor({ pipeline, blockEngine, ...landing }),
      direct: new DirectExecutor({ pipeline, ...landing }),
    },
    latency,
  );
  return { ...parts, executor };
}

/**
 * Sends each submission to the executor of its route. It also answers telemetry's
 * `takeStages` (src/agent/telemetry.ts `StageReporter`): the live path's stage latencies over
 * each metrics interval, per module.
 */
export class RoutedExecutor implements Executor {
  constructor(
    private readonly routes: { jito: Executor; direct: Executor },
    private readonly latency?: StageLatency,
  ) {}

  submit(submission: Submission): Promise<SubmissionOutcome> {
    return this.routes[submission.route].submit(submission);
  }

  takeStages(module: Module): readonly StageWindow[] {
    return this.latency?.take(module) ?? [];
  }
}
