import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ephemeralControlKeys } from '../../auth/control-signature.js';
import type { TypedBus } from '../../bus/typed.js';
import type { Logger } from '../../log.js';
import { systemClock } from '../../market/system-clock.js';
import type { Module } from '../../market/types.js';
import { type LiveConfig, liveConfigSchema } from '../config.js';
import { loadWallet, type Wallet } from '../keypair.js';
import { LiveMarketSource } from '../market-source.js';
import { createLiveStack, type LiveStack } from '../stack.js';
import { LocalCluster } from './local-cluster.js';
import { dislocatedPools, type PoolFixture } from './pool-fixtures.js';

/** A fresh Ed25519 keypair in the Solana CLI format: JSON array of secret seed ‖ public key. */
export function solanaKeypairJson(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const pub = Buffer.from(jwk.x as string, 'base64url');
  return JSON.stringify([...seed, ...pub]);
}

/** A pino logger whose JSON lines are kept in memory, for tests that read what was logged. */
export function captureLogger(level = 'info'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l: string) => l !== ''),
      );
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

/** The `live` config section naming a local cluster's endpoints. */
export function liveConfigFor(
  cluster: LocalCluster,
  pools: readonly PoolFixture[],
  extra: Record<string, unknown> = {},
): LiveConfig {
  return liveConfigSchema.parse({
    rpcUrl: cluster.rpcUrl,
    wsUrl: cluster.wsUrl,
    blockEngineUrl: cluster.rpcUrl,
    tipFloorUrl: cluster.tipFloorUrl,
    keypairEnv: 'LANDFALL_TEST_KEYPAIR',
    pools: pools.map((p) => ({ address: p.address })),
    // The cluster's block engine speaks JSON-RPC only; a test that wants GetConnectedLeaders
    // serves it (testing/local-searcher.ts) and says so.
    jitoLeadersFrom: 'config',
    ...extra,
    timeouts: {
      statusPollMs: 20,
      landingMs: 5_000,
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      staleAfterMs: 60_000,
      ...(extra.timeouts as object),
    },
  });
}

export interface Testbed {
  readonly cluster: LocalCluster;
  readonly pools: [PoolFixture, PoolFixture];
  readonly wallet: Wallet;
  readonly config: LiveConfig;
  /** A PubSub-fed stack (the gRPC feed has its own bed: grpc/testing/grpc-bed.ts). */
  readonly stack: LiveStack<LiveMarketSource>;
  readonly lines: string[];
  close(): Promise<void>;
}

/** Puts the pools' accounts on the cluster, each owned as on chain. */
export function holdPools(cluster: LocalCluster, pools: readonly PoolFixture[]): void {
  for (const p of pools) {
    for (const [a, d] of p.accounts) cluster.accounts.set(a, d);
    // A mint and a vault belong to their token program, as the pool state names it.
    const { token0Mint, token1Mint, token0Vault, token1Vault, token0Program, token1Program } =
      p.state;
    for (const a of [token0Mint, token0Vault]) cluster.owners.set(a, token0Program);
    for (const a of [token1Mint, token1Vault]) cluster.owners.set(a, token1Program);
  }
}

/** A local cluster holding the two dislocated pools, and the live stack pointed at it. */
export async function testbed(
  options: {
    extra?: Record<string, unknown>;
    dryRun?: boolean;
    bus?: TypedBus;
    modules?: Module[];
  } = {},
): Promise<Testbed> {
  const cluster = await LocalCluster.start();
  const pools = await dislocatedPools();
  holdPools(cluster, pools);
  const wallet = await loadWallet(
    { keypairEnv: 'LANDFALL_TEST_KEYPAIR' },
    { LANDFALL_TEST_KEYPAIR: solanaKeypairJson() },
  );
  // 50 SOL for fees and tips, 5 WSOL to trade (what getTransaction's token balances start at).
  await cluster.fundWallet(wallet.address, cluster.balanceLamports, 5_000_000_000n);
  const config = liveConfigFor(cluster, pools, options.extra);
  const { log, lines } = captureLogger();
  const stack = wsStack({
    live: config,
    wallet,
    clock: systemClock,
    log,
    modules: options.modules ?? ['arb'],
    dryRun: options.dryRun ?? false,
    ...(options.bus === undefined
      ? {}
      : { bus: options.bus, signer: ephemeralControlKeys('live-safety').signer }),
  });
  return {
    cluster,
    pools,
    wallet,
    config,
    stack,
    lines,
    async close() {
      await stack.source.stop();
      await cluster.close();
    },
  };
}

/** A stack on the default feed, PubSub: its source is the WebSocket one. */
function wsStack(options: Parameters<typeof createLiveStack>[0]): LiveStack<LiveMarketSource> {
  const stack = createLiveStack(options);
  if (!(stack.source instanceof LiveMarketSource))
    throw new Error(`testbed: expected the WebSocket source, got live.feed ${options.live.feed}`);
  return stack as LiveStack<LiveMarketSource>;
}

/** The one poller (src/testing/until.ts), here for the Solana tests that import it from the testbed. */
export { until } from '../../testing/until.js';
