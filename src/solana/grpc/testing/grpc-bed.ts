import { systemClock } from '../../../market/system-clock.js';
import type { Module } from '../../../market/types.js';
import type { LiveConfig } from '../../config.js';
import { loadWallet, type Wallet } from '../../keypair.js';
import { RAYDIUM_CP_PROGRAM } from '../../raydium-cp-layout.js';
import { createLiveStack, type LiveStack } from '../../stack.js';
import { LocalCluster } from '../../testing/local-cluster.js';
import { dislocatedPools, type PoolFixture } from '../../testing/pool-fixtures.js';
import {
  captureLogger,
  holdPools,
  liveConfigFor,
  solanaKeypairJson,
} from '../../testing/testbed.js';
import { GrpcMarketSource } from '../grpc-source.js';
import { LocalGeyser } from './local-geyser.js';

/**
 * The testbed's two dislocated pools on a loopback cluster (RPC reads, leaders, fees, the block
 * engine) with a loopback Geyser server as the market feed: the live stack with `feed: grpc`.
 * `setAccount` changes an account on the cluster and streams it, at the cluster's slot.
 */
export interface GrpcBed {
  readonly cluster: LocalCluster;
  readonly geyser: LocalGeyser;
  readonly pools: [PoolFixture, PoolFixture];
  readonly wallet: Wallet;
  readonly config: LiveConfig;
  readonly stack: LiveStack<GrpcMarketSource>;
  readonly lines: string[];
  setAccount(address: string, data: Uint8Array, stream?: boolean): void;
  /** The next slot, on the cluster and the stream. */
  advance(): void;
  close(): Promise<void>;
}

export async function grpcTestbed(
  options: {
    extra?: Record<string, unknown>;
    dryRun?: boolean;
    modules?: Module[];
    /** The loopback server also serves SubscribeDeshred. */
    deshred?: boolean;
  } = {},
): Promise<GrpcBed> {
  const cluster = await LocalCluster.start();
  const geyser = await LocalGeyser.start({ deshred: options.deshred ?? false });
  const pools = await dislocatedPools();
  holdPools(cluster, pools);
  const wallet = await loadWallet(
    { keypairEnv: 'LANDFALL_TEST_KEYPAIR' },
    { LANDFALL_TEST_KEYPAIR: solanaKeypairJson() },
  );
  await cluster.fundWallet(wallet.address, cluster.balanceLamports, 5_000_000_000n);
  const config = liveConfigFor(cluster, pools, {
    feed: 'grpc',
    grpcUrl: geyser.url,
    ...options.extra,
  });
  const { log, lines } = captureLogger();
  const stack = createLiveStack({
    live: config,
    wallet,
    clock: systemClock,
    log,
    modules: options.modules ?? ['arb'],
    dryRun: options.dryRun ?? false,
    geyser: geyser.connector(),
  });
  if (!(stack.source instanceof GrpcMarketSource))
    throw new Error('grpcTestbed: live.feed grpc did not build the gRPC source');
  const grpcStack = stack as LiveStack<GrpcMarketSource>;
  return {
    cluster,
    geyser,
    pools,
    wallet,
    config,
    stack: grpcStack,
    lines,
    setAccount(address, data, stream = true) {
      cluster.setAccount(address, data);
      const owner = cluster.owners.get(address) ?? RAYDIUM_CP_PROGRAM;
      if (stream) geyser.account(address, owner, data, cluster.slot);
    },
    advance() {
      cluster.advanceSlot();
      geyser.slot(cluster.slot);
    },
    async close() {
      await grpcStack.source.stop();
      await geyser.close();
      await cluster.close();
    },
  };
}
