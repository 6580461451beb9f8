import { z } from 'zod';
import { LandfallError } from '../errors.js';
import { DEFAULT_LIVE_VENUE, isLiveVenue, LIVE_VENUE_NAMES } from './venues/live.js';

/**
 * The `live` config section: where a live agent talks to Solana and the Jito block engine, which
 * pools it watches, and the limits it trades under. No endpoint has a default: live mode refuses
 * to start until the operator names every one (`requireEndpoints`), so nothing is tied to one
 * provider. The keypair is named (a file path or an environment variable), never held here.
 */
const base58 = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 address');
const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s):// URL');
const wsUrl = z.string().regex(/^wss?:\/\/\S+$/, 'expected a ws(s):// URL');

export const livePoolSchema = z.strictObject({
  /** The pool's own account (CP-Swap `PoolState`, AMM v4 `AmmInfo`, …). */
  address: base58,
  /** Which program the pool is (src/solana/venues/live.ts); default CP-Swap. */
  venue: z
    .string()
    .refine(isLiveVenue, { message: `expected one of ${LIVE_VENUE_NAMES.join(', ')}` })
    .default(DEFAULT_LIVE_VENUE),
});

export const liveConfigSchema = z.strictObject({
  /** Solana JSON-RPC over HTTP (reads, sendTransaction, simulateTransaction). */
  rpcUrl: httpUrl.optional(),
  /** Solana PubSub WebSocket (accountSubscribe, slotSubscribe). */
  wsUrl: wsUrl.optional(),
  /**
   * Where pool accounts, slots and swaps come from: `websocket` (PubSub at `wsUrl`) or `grpc`
   * (a Yellowstone Geyser stream at `grpcUrl`: slot-tagged updates, replay after a drop, and the
   * transactions that move the pools, which trigger backruns). The wallet's balance stays on
   * PubSub either way.
   */
  feed: z.enum(['websocket', 'grpc']).default('websocket'),
  /** Yellowstone Geyser gRPC endpoint (Triton, Helius Laserstream, …), for `feed: grpc`. */
  grpcUrl: httpUrl.optional(),
  /** The environment variable holding the endpoint's `x-token`, if it wants one. */
  grpcTokenEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  grpc: z
    .strictObject({
      /** An update handled later than this after the server stamped it is counted and logged. */
      maxLagMs: z.number().int().positive().default(400),
      /**
       * A backrun decided this many slots after its target's slot, once the target's leader has
       * gone, is not sent (backrun-timing.ts): the pool has moved on without it.
       */
      backrunMaxSlotsLate: z.number().int().min(0).default(4),
      /**
       * Also read `SubscribeDeshred` (transactions before execution, top-level instructions only)
       * where the endpoint serves it; one that answers UNIMPLEMENTED is not asked again.
       */
      deshred: z.boolean().default(true),
    })
    .prefault({}),
  /** Jito block engine base URL; bundles go to `<blockEngineUrl>/api/v1/bundles`. */
  blockEngineUrl: httpUrl.optional(),
  /** Jito tip-floor feed (JSON percentiles of landed tips, in SOL). */
  tipFloorUrl: httpUrl.optional(),
  /** RPC that serves `simulateBundle` (a Jito-Solana node); defaults to `rpcUrl`. */
  simulateBundleUrl: httpUrl.optional(),
  /** Solana CLI keypair file (JSON array of 64 bytes); relative to the cwd. */
  keypairPath: z.string().min(1).optional(),
  /** Or: the name of an environment variable holding that JSON array. */
  keypairEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  pools: z.array(livePoolSchema).default([]),
  /** Leader identities known to run the Jito client; unset: every leader is assumed to. */
  jitoLeaders: z.array(base58).optional(),
  /**
   * Jito's validator list (`{ validators: [{ vote_account, running_jito }] }`, e.g.
   * https://kobe.mainnet.jito.network/api/v1/validators): which leaders run Jito, as Jito says,
   * read every `jitoValidatorsRefreshMs`; `jitoLeaders` (or every leader) answers until it is read.
   */
  jitoValidatorsUrl: httpUrl.optional(),
  jitoValidatorsRefreshMs: z.number().int().positive().default(600_000),
  /**
   * Where "does this leader run Jito" is answered: `block-engine` (the searcher gRPC service's
   * GetConnectedLeaders at `blockEngineGrpcUrl`, re-read every `jitoLeadersRefreshMs` and at each
   * epoch; the validator list or `jitoLeaders` answer only while it cannot), `validators`
   * (`jitoValidatorsUrl`, else `jitoLeaders`), or `config` (`jitoLeaders` alone).
   */
  jitoLeadersFrom: z.enum(['block-engine', 'validators', 'config']).default('block-engine'),
  /** The block engine's searcher gRPC origin; default `blockEngineUrl` (Jito serves both there). */
  blockEngineGrpcUrl: httpUrl.optional(),
  jitoLeadersRefreshMs: z.number().int().positive().default(300_000),
  commitment: z.enum(['processed', 'confirmed']).default('processed'),
  caps: z
    .strictObject({
      /** Largest quote-mint input one submission may spend, lamports. */
      maxTradeLamports: z.number().int().positive().default(1_000_000_000),
      /** Realised loss in one UTC day that kills the agents (control-proto KILL). */
      dailyLossLimitLamports: z.number().int().positive().default(200_000_000),
      /** The wallet's SOL balance below which nothing is sent. */
      balanceFloorLamports: z.number().int().min(0).default(100_000_000),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      /** One HTTP JSON-RPC request. */
      requestMs: z.number().int().positive().default(5_000),
      /** Send → final status; past it the outcome is `expired`. */
      landingMs: z.number().int().positive().default(30_000),
      statusPollMs: z.number().int().positive().default(400),
      /** A pool with no account update for this long is stale and never traded. */
      staleAfterMs: z.number().int().positive().default(10_000),
      reconnectMinMs: z.number().int().positive().default(250),
      reconnectMaxMs: z.number().int().positive().default(10_000),
      /** Retries of a 429 (rate-limited) request before it fails. */
      rateLimitRetries: z.number().int().min(0).max(20).default(5),
    })
    .prefault({}),
  /** Refresh of the block engine's tip accounts. */
  tipAccountsTtlMs: z.number().int().positive().default(600_000),
  tipFloorPollMs: z.number().int().positive().default(10_000),
  priorityFeePollMs: z.number().int().positive().default(5_000),
  /** CU limit = simulated units × (1 + margin). */
  computeUnitMargin: z.number().min(0).max(2).default(0.15),
  /**
   * What a round trip back to wrapped SOL must clear on chain on top of its input, tip and fees
   * (every signature, priority fee at the sized CU limit): the last leg's minimum output is
   * raised to that, so a trade that would not pay reverts instead of landing at a loss.
   */
  profitMarginLamports: z.number().int().min(0).default(10_000),
  /**
   * A chained leg spends the previous leg's predicted output less this share (at least one
   * unit), and the previous leg must return that much: a rounding difference leaves dust
   * instead of reverting. Basis points.
   */
  chainToleranceBps: z.number().int().min(0).max(100).default(1),
  /** Age of the cached blockhash at which it is refreshed in the background: one slot. */
  blockhashRefreshMs: z.number().int().positive().default(400),
  /**
   * The wallet's own address lookup table (the wallet setup creates and extends it and logs the
   * address to put here). A transaction over 1 232 bytes is compiled against it.
   */
  lookupTable: base58.optional(),
  /** The wallet setup tops the wrapped-SOL account up to this balance (transfer + SyncNative). */
  wsolTargetLamports: z.number().int().min(0).default(1_000_000_000),
});

export type LiveConfig = z.infer<typeof liveConfigSchema>;

/** The endpoints a live session cannot do without, as the error names them. */
export interface LiveEndpoints {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly blockEngineUrl: string;
  readonly tipFloorUrl: string;
  readonly simulateBundleUrl: string;
  /** Set when `feed` is `grpc`. */
  readonly grpcUrl?: string;
}

/** Every endpoint named, or the list of `live.*` keys still missing. */
export function endpointsOf(config: LiveConfig): LiveEndpoints | string[] {
  const needed: Array<keyof LiveConfig> = ['rpcUrl', 'wsUrl', 'blockEngineUrl', 'tipFloorUrl'];
  if (config.feed === 'grpc') needed.push('grpcUrl');
  const missing = needed.filter((k) => config[k] === undefined);
  if (missing.length > 0) return missing.map((k) => `live.${k}`);
  return {
    rpcUrl: config.rpcUrl as string,
    wsUrl: config.wsUrl as string,
    blockEngineUrl: config.blockEngineUrl as string,
    tipFloorUrl: config.tipFloorUrl as string,
    simulateBundleUrl: config.simulateBundleUrl ?? (config.rpcUrl as string),
    ...(config.feed === 'grpc' ? { grpcUrl: config.grpcUrl as string } : {}),
  };
}

/** The gRPC endpoint's `x-token`, read from the variable `live.grpcTokenEnv` names. */
export function grpcTokenOf(live: LiveConfig, env: NodeJS.ProcessEnv): { grpcToken?: string } {
  if (live.feed !== 'grpc' || live.grpcTokenEnv === undefined) return {};
  const token = env[live.grpcTokenEnv];
  if (token === undefined || token === '') {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `live.grpcTokenEnv names ${live.grpcTokenEnv}, which is not set; export it or remove live.grpcTokenEnv`,
    );
  }
  return { grpcToken: token };
}
