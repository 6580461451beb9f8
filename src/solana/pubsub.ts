import {
  createDefaultRpcSubscriptionsTransport,
  createSolanaRpcSubscriptionsFromTransport,
  getChannelPoolingChannelCreator,
  getRpcSubscriptionsChannelWithBigIntJSONSerialization,
  isSolanaError,
  type RpcSubscriptions,
  type RpcSubscriptionsChannel,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CLOSED_BEFORE_MESSAGE_BUFFERED,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CONNECTION_CLOSED,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_FAILED_TO_CONNECT,
  SolanaError,
  type SolanaRpcSubscriptionsApi,
} from '@solana/kit';
import WebSocket from 'ws';
import type { Logger } from '../log.js';

/**
 * Solana PubSub through `@solana/kit`'s typed subscriptions client, kept alive by us. Kit does
 * the JSON-RPC (subscribe, route notifications by subscription id, unsubscribe, bigint JSON)
 * over a channel of ours: a `ws` socket that pings and is terminated when no pong comes back
 * within a ping interval, so a silent socket is noticed. Subscriptions are registered once; a
 * dropped socket ends every iterator, and a fresh client is created after exponential backoff
 * and every registration re-subscribed on it (`onReconnect` lets the owner re-read what it may
 * have missed). A refused subscription is retried on the same client.
 */

export interface PubSubOptions {
  readonly url: string;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly pingMs: number;
  readonly log: Logger;
  /** Called after a re-connection has re-subscribed everything (not on the first connect). */
  readonly onReconnect?: () => void;
  /** Called on every loss of the socket. */
  readonly onDisconnect?: () => void;
}

export type SolanaSubscriptions = RpcSubscriptions<SolanaRpcSubscriptionsApi>;

interface Registration<T = unknown> {
  readonly name: string;
  readonly open: (client: SolanaSubscriptions, signal: AbortSignal) => Promise<AsyncIterable<T>>;
  readonly onNotification: (notification: T) => void;
}

interface Generation {
  readonly client: SolanaSubscriptions;
  readonly controller: AbortController;
  lost: boolean;
  /** Every registration's first attempt has settled. */
  settled: boolean;
  connected: boolean;
}

export interface PubSubStats {
  connects: number;
  disconnects: number;
  notifications: number;
  subscribeErrors: number;
}

type FirstAttempt = 'subscribed' | 'refused' | 'lost';

export class PubSub {
  readonly stats: PubSubStats = {
    connects: 0,
    disconnects: 0,
    notifications: 0,
    subscribeErrors: 0,
  };
  private readonly registrations: Registration[] = [];
  private current: Generation | undefined;
  private attempt = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private firstConnect: { resolve: () => void } | undefined;

  constructor(private readonly options: PubSubOptions) {}

  /**
   * Registers a subscription, opened on every client from `start` on; one registered later is
   * also opened on the client already connected.
   */
  subscribe<T>(
    name: string,
    open: Registration<T>['open'],
    onNotification: Registration<T>['onNotification'],
  ): void {
    const r = { name, open, onNotification } as Registration;
    this.registrations.push(r);
    const gen = this.current;
    if (gen?.settled && !gen.lost && !this.stopped) void this.run(gen, r);
  }

  /** Resolves once the first client has tried every subscription and one was accepted. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.firstConnect = { resolve };
      this.connect();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.current?.controller.abort();
  }

  private connect(): void {
    if (this.stopped) return;
    const controller = new AbortController();
    const createChannel = getChannelPoolingChannelCreator(
      (config: { abortSignal: AbortSignal }) =>
        wsChannel(this.options.url, this.options.pingMs, config.abortSignal).then(
          getRpcSubscriptionsChannelWithBigIntJSONSerialization,
        ),
      { maxSubscriptionsPerChannel: 100, minChannels: 1 },
    );
    const client = createSolanaRpcSubscriptionsFromTransport(
      createDefaultRpcSubscriptionsTransport({ createChannel }),
    ) as SolanaSubscriptions;
    const gen: Generation = { client, controller, lost: false, settled: false, connected: false };
    this.current = gen;
    void Promise.all(this.registrations.map((r) => this.run(gen, r))).then((first) => {
      gen.settled = true;
      if (first.includes('subscribed')) this.connected(gen);
    });
  }

  private connected(gen: Generation): void {
    if (gen !== this.current || gen.lost || gen.connected) return;
    gen.connected = true;
    this.stats.connects++;
    this.attempt = 0;
    const resolve = this.firstConnect?.resolve;
    this.firstConnect = undefined;
    if (resolve !== undefined) resolve();
    else this.options.onReconnect?.();
  }

  /** Opens one subscription on `gen` and consumes it; resolves with how the opening went. */
  private run(gen: Generation, r: Registration): Promise<FirstAttempt> {
    return new Promise<FirstAttempt>((settle) => {
      void (async () => {
        // Its own signal, so that a refused attempt is released (kit caches a subscription
        // until every signal that asked for it aborts) and the retry asks afresh.
        const attempt = new AbortController();
        const release = () => attempt.abort();
        gen.controller.signal.addEventListener('abort', release, { once: true });
        let notifications: AsyncIterable<unknown>;
        try {
          notifications = await r.open(gen.client, attempt.signal);
        } catch (err) {
          gen.controller.signal.removeEventListener('abort', release);
          attempt.abort();
          if (isChannelError(err) || gen.controller.signal.aborted) {
            settle('lost');
            this.lose(gen, err);
            return;
          }
          this.stats.subscribeErrors++;
          this.options.log.error(
            { subscription: r.name, err: (err as Error).message },
            'subscription refused; retrying',
          );
          settle('refused');
          setTimeout(() => {
            if (gen === this.current && !gen.lost && !this.stopped) void this.run(gen, r);
          }, this.options.reconnectMinMs);
          return;
        }
        settle('subscribed');
        // A retried subscription may be the first this client got accepted.
        if (gen.settled) this.connected(gen);
        try {
          for await (const n of notifications) {
            if (gen.lost) return;
            this.stats.notifications++;
            r.onNotification(n);
          }
          // The iterator ends without an error only when the client was aborted.
          this.lose(gen, new Error('subscription ended'));
        } catch (err) {
          this.lose(gen, err);
        }
      })();
    });
  }

  private lose(gen: Generation, err: unknown): void {
    if (gen.lost || gen !== this.current) return;
    gen.lost = true;
    gen.controller.abort();
    if (this.stopped) return;
    this.stats.disconnects++;
    this.options.onDisconnect?.();
    const delay = Math.min(
      this.options.reconnectMaxMs,
      this.options.reconnectMinMs * 2 ** this.attempt++,
    );
    this.options.log.warn(
      { url: this.options.url, delayMs: delay, err: (err as Error)?.message },
      'pubsub disconnected; reconnecting',
    );
    this.retry = setTimeout(() => this.connect(), delay);
  }
}

function isChannelError(err: unknown): boolean {
  return (
    isSolanaError(err, SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CONNECTION_CLOSED) ||
    isSolanaError(err, SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_FAILED_TO_CONNECT) ||
    isSolanaError(err, SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CLOSED_BEFORE_MESSAGE_BUFFERED)
  );
}

/**
 * A kit subscriptions channel over one `ws` socket: text messages in and out, WebSocket pings
 * every `pingMs`, and the socket terminated (a CHANNEL_CONNECTION_CLOSED error) when a ping
 * goes unanswered or the socket closes for any reason but our abort.
 */
function wsChannel(
  url: string,
  pingMs: number,
  signal: AbortSignal,
): Promise<RpcSubscriptionsChannel<string, string>> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = new WebSocket(url);
    const listeners = {
      message: new Set<(m: string) => void>(),
      error: new Set<(e: SolanaError) => void>(),
    };
    let opened = false;
    let alive = true;
    let ping: NodeJS.Timeout | undefined;
    const onAbort = () => socket.terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    const fail = (error: SolanaError) => {
      for (const l of [...listeners.error]) l(error);
    };
    socket.on('open', () => {
      opened = true;
      ping = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, pingMs);
      resolve({
        on(channel, subscriber, options) {
          const set = listeners[channel] as Set<typeof subscriber>;
          set.add(subscriber);
          const off = () => set.delete(subscriber);
          options?.signal.addEventListener('abort', off, { once: true });
          return off;
        },
        async send(message: string) {
          if (socket.readyState !== WebSocket.OPEN)
            throw new SolanaError(SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CONNECTION_CLOSED);
          socket.send(message);
        },
      });
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data) => {
      if (signal.aborted) return;
      const text = data.toString();
      for (const l of [...listeners.message]) l(text);
    });
    const failedToConnect = (cause?: Error) =>
      new SolanaError(SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_FAILED_TO_CONNECT, {
        errorEvent: new Event('error'),
        ...(cause === undefined ? {} : { cause }),
      });
    socket.on('error', (err) => {
      // 'close' follows and reports a loss; before 'open' this is a failure to connect.
      if (!opened && !signal.aborted) reject(failedToConnect(err));
    });
    socket.on('close', () => {
      clearInterval(ping);
      signal.removeEventListener('abort', onAbort);
      if (!opened) {
        reject(signal.aborted ? signal.reason : failedToConnect());
        return;
      }
      if (!signal.aborted)
        fail(new SolanaError(SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CONNECTION_CLOSED));
    });
  });
}
