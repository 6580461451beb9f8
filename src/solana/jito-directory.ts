import type { Logger } from '../log.js';
import type { Clock } from '../market/types.js';
import type { LiveConfig } from './config.js';
import { BlockEngineLeaders } from './jito-leaders.js';
import { JitoValidators } from './jito-validators.js';
import type { JitoDirectory } from './leaders.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * The answer to "does this leader run Jito" that `live.jitoLeadersFrom` asks for, each source
 * falling back on the next while it cannot tell: the block engine's connected leaders → Jito's
 * validator list (`jitoValidatorsUrl`, when named) → the configured `jitoLeaders` → every leader.
 * `refresh` re-reads the sources that change per epoch (the leader schedule calls it at each).
 */
export interface JitoLeadersSource {
  readonly directory: JitoDirectory | undefined;
  /** Set when the block engine is asked. */
  readonly blockEngine: BlockEngineLeaders | undefined;
  start(): void;
  stop(): void;
  refresh(): void;
  describe(): string;
}

export function jitoLeadersSource(o: {
  readonly live: LiveConfig;
  readonly rpc: SolanaRpcClient;
  readonly blockEngineUrl: string;
  readonly clock: Clock;
  readonly log: Logger;
}): JitoLeadersSource {
  const { live, rpc, log } = o;
  const t = live.timeouts;
  const configured = live.jitoLeaders === undefined ? undefined : listed(live.jitoLeaders);
  const validators =
    live.jitoLeadersFrom === 'config' || live.jitoValidatorsUrl === undefined
      ? undefined
      : new JitoValidators({
          rpc,
          url: live.jitoValidatorsUrl,
          timeoutMs: t.requestMs,
          refreshMs: live.jitoValidatorsRefreshMs,
          fallback: configured,
          onError: (err) =>
            log.warn(
              { err: err.message },
              'Jito validator list unavailable; the previous list (or live.jitoLeaders) stands',
            ),
        });
  let warned = false;
  const blockEngine =
    live.jitoLeadersFrom !== 'block-engine'
      ? undefined
      : new BlockEngineLeaders({
          url: live.blockEngineGrpcUrl ?? o.blockEngineUrl,
          timeoutMs: t.requestMs,
          refreshMs: live.jitoLeadersRefreshMs,
          staleAfterMs: 2 * live.jitoLeadersRefreshMs,
          fallback: validators ?? configured,
          now: () => o.clock.now(),
          onError: (err) => {
            // Once, then quietly: an endpoint without the method stays without it.
            if (warned) return;
            warned = true;
            log.warn(
              { err: err.message },
              `the block engine cannot say which leaders run Jito (GetConnectedLeaders); ${validators === undefined ? (configured === undefined ? 'every leader is assumed to' : 'live.jitoLeaders answers') : "Jito's validator list answers"} until it can`,
            );
          },
        });
  const directory: JitoDirectory | undefined = blockEngine ?? validators ?? configured;
  return {
    directory,
    blockEngine,
    start() {
      validators?.start();
      blockEngine?.start();
    },
    stop() {
      validators?.stop();
      blockEngine?.stop();
    },
    refresh() {
      void blockEngine?.refresh();
    },
    describe() {
      if (blockEngine !== undefined)
        return `block engine GetConnectedLeaders (${blockEngine.told ? `${blockEngine.stats.connected} connected` : 'not told yet'})`;
      if (validators !== undefined) return `Jito validator list (${validators.stats.running})`;
      return configured === undefined ? 'every leader assumed' : 'live.jitoLeaders';
    },
  };
}

function listed(identities: readonly string[]): JitoDirectory {
  const set = new Set(identities);
  return { runsJito: (identity) => set.has(identity) };
}
