import type { SubscribeRequest, SubscribeUpdate } from '@triton-one/yellowstone-grpc';
import { LandfallError } from '../../errors.js';

/**
 * The little of a Geyser gRPC client the feed uses: open a `Subscribe` stream, write requests on
 * it (the filters, pings), read updates from it, end it. The adapter is Triton's
 * `@triton-one/yellowstone-grpc` (a Rust client behind N-API, speaking the published
 * `geyser.proto`; Helius Laserstream serves the same service). It is loaded on first use so the
 * rest of Landfall, and every WebSocket-fed run, never loads the native module.
 */
export type { SubscribeRequest, SubscribeUpdate };

export interface GeyserStream extends AsyncIterable<SubscribeUpdate> {
  write(request: SubscribeRequest): void;
  /** Ends the stream from this side; the iterator finishes. */
  close(): void;
}

export interface GeyserConnector {
  /** Connects and opens one `Subscribe` stream; rejects when the endpoint is unreachable. */
  subscribe(): Promise<GeyserStream>;
}

/** What the feed uses of the package's `Client` and its `Subscribe` duplex. */
interface YellowstoneDuplex extends AsyncIterable<unknown> {
  write(request: SubscribeRequest): boolean;
  destroy(): void;
}
type YellowstoneClient = new (
  endpoint: string,
  token: string | undefined,
  channelOptions: undefined,
  reconnect: { enabled: boolean },
) => { connect(): Promise<void>; subscribe(): Promise<YellowstoneDuplex> };

/** A connector to `endpoint` (`http://` or `https://`), with the `x-token` header when given. */
export function yellowstoneConnector(endpoint: string, token?: string): GeyserConnector {
  return {
    async subscribe() {
      const Client = await loadClient();
      // The native client's own reconnect is left off: the feed reconnects itself, with
      // `from_slot`, so it can count and report every drop and replay.
      const client = new Client(endpoint, token, undefined, { enabled: false });
      let duplex: YellowstoneDuplex;
      try {
        await client.connect();
        duplex = await client.subscribe();
      } catch (cause) {
        // The origin only: some providers put the token in the URL's path.
        throw new LandfallError(
          'LF_SOLANA_RPC',
          `gRPC ${new URL(endpoint).origin}: could not open the Geyser Subscribe stream (${(cause as Error).message}); is live.grpcUrl a Yellowstone gRPC endpoint, and live.grpcTokenEnv its token?`,
          { cause },
        );
      }
      return {
        write: (request) => {
          duplex.write(request);
        },
        close: () => {
          duplex.destroy();
        },
        [Symbol.asyncIterator]: () =>
          (duplex as AsyncIterable<SubscribeUpdate>)[Symbol.asyncIterator](),
      };
    },
  };
}

async function loadClient(): Promise<YellowstoneClient> {
  let mod: unknown;
  try {
    mod = await import('@triton-one/yellowstone-grpc');
  } catch (cause) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      'live.feed is grpc but @triton-one/yellowstone-grpc could not be loaded (its native module ships for linux and macOS on x64/arm64); use live.feed websocket here',
      { cause },
    );
  }
  // Node loads the package's ESM build (default: the class) while its types read as CommonJS
  // (default: the module): take whichever holds the class.
  const m = mod as { default: YellowstoneClient | { default: YellowstoneClient } };
  return typeof m.default === 'function' ? m.default : m.default.default;
}
