import type {
  SubscribeDeshredRequest,
  SubscribeRequest,
  SubscribeUpdate,
  SubscribeUpdateDeshred,
} from '@triton-one/yellowstone-grpc';
import { LandfallError } from '../../errors.js';

/**
 * The little of a Geyser gRPC client the feed uses: open a `Subscribe` stream, write requests on
 * it (the filters, pings), read updates from it, end it. The adapter is Triton's
 * `@triton-one/yellowstone-grpc` (a Rust client behind N-API, speaking the published
 * `geyser.proto`; Helius Laserstream serves the same service). It is loaded on first use so the
 * rest of Landfall, and every WebSocket-fed run, never loads the native module.
 */
export type { SubscribeDeshredRequest, SubscribeRequest, SubscribeUpdate, SubscribeUpdateDeshred };

export interface GeyserStream extends AsyncIterable<SubscribeUpdate> {
  write(request: SubscribeRequest): void;
  /** Ends the stream from this side; the iterator finishes. */
  close(): void;
}

export interface GeyserConnector {
  /** Connects and opens one `Subscribe` stream; rejects when the endpoint is unreachable. */
  subscribe(): Promise<GeyserStream>;
  /**
   * Opens one `SubscribeDeshred` stream: transactions as the endpoint rebuilds them from shreds,
   * before it executes them. Rejects with `DeshredUnsupportedError` when the endpoint does not
   * implement the method; absent when the client cannot ask for it.
   */
  subscribeDeshred?(): Promise<DeshredStream>;
}

export interface DeshredStream extends AsyncIterable<SubscribeUpdateDeshred> {
  write(request: SubscribeDeshredRequest): void;
  close(): void;
}

/** The endpoint answered `SubscribeDeshred` with gRPC UNIMPLEMENTED: it serves no deshred stream. */
export class DeshredUnsupportedError extends LandfallError {
  constructor(origin: string, cause: unknown) {
    super(
      'LF_SOLANA_RPC',
      `gRPC ${origin} does not implement geyser.Geyser/SubscribeDeshred; swaps are seen on the processed transaction stream only`,
      { cause },
    );
  }
}

/** What the feed uses of the package's `Client` and its `Subscribe` duplexes. */
interface YellowstoneDuplex<Req> extends AsyncIterable<unknown> {
  write(request: Req): boolean;
  destroy(): void;
}
type YellowstoneClient = new (
  endpoint: string,
  token: string | undefined,
  channelOptions: undefined,
  reconnect: { enabled: boolean },
) => {
  connect(): Promise<void>;
  subscribe(): Promise<YellowstoneDuplex<SubscribeRequest>>;
  /** Since 7.0 (the published geyser.proto gained `SubscribeDeshred`); older clients lack it. */
  subscribeDeshred?(): Promise<YellowstoneDuplex<SubscribeDeshredRequest>>;
};

/**
 * How the native client reports gRPC UNIMPLEMENTED: it exposes no status code, only tonic's
 * `Status` rendered in the error's cause, whose code reads as `Code::Unimplemented`'s description
 * ("Operation is not implemented or not supported", tonic's `Code::description`).
 */
const UNIMPLEMENTED = /Operation is not implemented or not supported/;

function isUnimplemented(err: unknown): boolean {
  for (let e = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    if (UNIMPLEMENTED.test(String((e as Error).message ?? e))) return true;
    if (e === (e as { cause?: unknown }).cause) break;
  }
  return false;
}

/** A connector to `endpoint` (`http://` or `https://`), with the `x-token` header when given. */
export function yellowstoneConnector(endpoint: string, token?: string): GeyserConnector {
  return {
    async subscribe() {
      const Client = await loadClient();
      // The native client's own reconnect is left off: the feed reconnects itself, with
      // `from_slot`, so it can count and report every drop and replay.
      const client = new Client(endpoint, token, undefined, { enabled: false });
      let duplex: YellowstoneDuplex<SubscribeRequest>;
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
    async subscribeDeshred() {
      const Client = await loadClient();
      const client = new Client(endpoint, token, undefined, { enabled: false });
      const origin = new URL(endpoint).origin;
      if (typeof client.subscribeDeshred !== 'function')
        throw new DeshredUnsupportedError(origin, new Error('the client has no subscribeDeshred'));
      let duplex: YellowstoneDuplex<SubscribeDeshredRequest>;
      try {
        await client.connect();
        duplex = await client.subscribeDeshred();
      } catch (cause) {
        if (isUnimplemented(cause)) throw new DeshredUnsupportedError(origin, cause);
        throw new LandfallError(
          'LF_SOLANA_RPC',
          `gRPC ${origin}: could not open the Geyser SubscribeDeshred stream (${(cause as Error).message})`,
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
          (duplex as AsyncIterable<SubscribeUpdateDeshred>)[Symbol.asyncIterator](),
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
