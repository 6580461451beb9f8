import WebSocket from 'ws';
import type { Logger } from '../log.js';

/**
 * Solana PubSub over one WebSocket that survives its socket. Subscriptions are registered once
 * and (re)sent on every connection; a dropped or silent socket (no pong within a ping interval)
 * is reconnected with exponential backoff, and `onReconnect` lets the owner re-read what it may
 * have missed while disconnected. Notifications are routed by the subscription id the server
 * returned on the current connection, so ids from a dead socket are never trusted.
 */

export interface PubSubOptions {
  readonly url: string;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly pingMs: number;
  readonly log: Logger;
  /** Called after a re-connection has re-sent every subscription (not on the first connect). */
  readonly onReconnect?: () => void;
  /** Called on every loss of the socket. */
  readonly onDisconnect?: () => void;
}

interface Registration {
  readonly method: string;
  readonly params: unknown[];
  readonly onNotification: (result: unknown, slot: number | undefined) => void;
}

export interface PubSubStats {
  connects: number;
  disconnects: number;
  notifications: number;
  subscribeErrors: number;
}

export class PubSub {
  readonly stats: PubSubStats = {
    connects: 0,
    disconnects: 0,
    notifications: 0,
    subscribeErrors: 0,
  };
  private readonly registrations: Registration[] = [];
  private socket: WebSocket | undefined;
  /** Request id → registration, then server subscription id → registration. */
  private pending = new Map<number, Registration>();
  private live = new Map<number, Registration>();
  private nextId = 1;
  private attempt = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private firstConnect: { resolve: () => void } | undefined;

  constructor(private readonly options: PubSubOptions) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  subscribe(
    method: string,
    params: unknown[],
    onNotification: Registration['onNotification'],
  ): void {
    const r = { method, params, onNotification };
    this.registrations.push(r);
    if (this.connected) this.send(r);
  }

  /** Resolves once the first connection is open and its subscriptions are sent. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.firstConnect = { resolve };
      this.connect();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    let alive = true;
    let ping: NodeJS.Timeout | undefined;
    socket.on('open', () => {
      this.stats.connects++;
      this.attempt = 0;
      this.pending = new Map();
      this.live = new Map();
      for (const r of this.registrations) this.send(r);
      ping = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, this.options.pingMs);
      const first = this.firstConnect;
      this.firstConnect = undefined;
      if (first !== undefined) first.resolve();
      else this.options.onReconnect?.();
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('error', (err) =>
      this.options.log.warn({ err: err.message, url: this.options.url }, 'pubsub socket error'),
    );
    socket.on('close', () => {
      clearInterval(ping);
      if (this.socket !== socket) return;
      this.stats.disconnects++;
      this.options.onDisconnect?.();
      if (this.stopped) return;
      const delay = Math.min(
        this.options.reconnectMaxMs,
        this.options.reconnectMinMs * 2 ** this.attempt++,
      );
      this.options.log.warn(
        { url: this.options.url, delayMs: delay },
        'pubsub disconnected; reconnecting',
      );
      this.retry = setTimeout(() => this.connect(), delay);
    });
  }

  private send(r: Registration): void {
    const id = this.nextId++;
    this.pending.set(id, r);
    this.socket?.send(JSON.stringify({ jsonrpc: '2.0', id, method: r.method, params: r.params }));
  }

  private receive(text: string): void {
    let msg: {
      id?: number;
      result?: unknown;
      error?: { code: number; message: string };
      method?: string;
      params?: { subscription: number; result: unknown };
    };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.options.log.warn({ text: text.slice(0, 120) }, 'pubsub message is not JSON; ignored');
      return;
    }
    if (msg.id !== undefined) {
      const r = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (r === undefined) return;
      if (msg.error !== undefined || typeof msg.result !== 'number') {
        this.stats.subscribeErrors++;
        this.options.log.error(
          { method: r.method, params: r.params, error: msg.error },
          'subscription refused; retrying',
        );
        const socket = this.socket;
        setTimeout(() => {
          if (this.socket === socket && this.connected && !this.stopped) this.send(r);
        }, this.options.reconnectMinMs);
        return;
      }
      this.live.set(msg.result, r);
      return;
    }
    if (msg.params === undefined) return;
    const r = this.live.get(msg.params.subscription);
    if (r === undefined) return;
    this.stats.notifications++;
    const result = msg.params.result as { context?: { slot?: number } };
    r.onNotification(result, result?.context?.slot);
  }
}
