import type { TokenVerifier } from '../auth/verify.js';
import type { Logger } from '../log.js';
import type { CommandDeps } from './commands.js';
import type { Hub } from './hub.js';

/**
 * A way for browsers to reach the gateway (WebSocket, WebTransport). Every transport keeps the
 * same rules: the token is verified before the session is admitted to the hub, so no frame
 * reaches an unauthenticated peer; client messages go through `handleClientMessage`; a dead peer
 * is detected and removed.
 */
export interface Transport {
  readonly name: 'websocket' | 'webtransport';
  /** One line for the banner: where it listens. */
  readonly detail: string;
  /** Stops taking sessions and closes the ones it has. */
  stop(): Promise<void>;
}

export interface TransportDeps {
  readonly hub: Hub;
  readonly verifier: TokenVerifier;
  readonly commands: CommandDeps;
  readonly log: Logger;
}
