import type { Principal } from '../auth/verify.js';
import type { Logger } from '../log.js';
import {
  ClientQueue,
  type ClientSocket,
  type QueueLimits,
  type QueueStats,
} from './client-queue.js';
import type { Frame } from './envelope.js';

/** Close code for a token that expired while connected. */
export const CLOSE_TOKEN_EXPIRED = 4001;
/** setTimeout's largest delay; longer expiries are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

export interface Client {
  readonly id: number;
  readonly principal: Principal;
  /** Token expiry in ms since the epoch; undefined when the token has none (never here). */
  readonly expiresAtMs: number | undefined;
  readonly transport: string;
  readonly queue: ClientQueue;
  readonly socket: ClientSocket;
}

export interface ClientReport {
  readonly id: number;
  readonly subject: string;
  readonly role: string;
  readonly transport: string;
  readonly heldFrames: number;
  readonly closedReason: string | undefined;
  readonly stats: QueueStats;
}

export interface HubOptions {
  readonly limits: QueueLimits;
  /** How often held frames of sampled clients are retried. */
  readonly flushMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * The fan-out: every frame goes to every connected client through that client's own bounded
 * queue. `broadcast` is synchronous: it hands bytes to sockets and returns, so the bus handler
 * that calls it never waits on any client. Clients are added only once authenticated; a token
 * that expires closes its client with 4001.
 */
export class Hub {
  private readonly clients = new Map<number, Client>();
  private readonly expiry = new Map<number, NodeJS.Timeout>();
  private readonly sampled = new Set<Client>();
  /** Clients written to in this event-loop turn, corked until its end. */
  private readonly corked = new Set<Client>();
  private readonly flushTimer: NodeJS.Timeout;
  private nextId = 1;
  /** Frames broadcast since start, per envelope type. */
  readonly framesByType = new Map<string, number>();
  /** Clients that left, with their queue stats (the last 100), for tests and the bench. */
  readonly departed: ClientReport[] = [];

  constructor(private readonly options: HubOptions) {
    this.flushTimer = setInterval(() => this.flushSampled(), options.flushMs);
    this.flushTimer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(
    principal: Principal,
    expiresAtMs: number | undefined,
    transport: string,
    socket: ClientSocket,
  ): Client {
    const client: Client = {
      id: this.nextId++,
      principal,
      expiresAtMs,
      transport,
      socket,
      queue: new ClientQueue(socket, this.options.limits),
    };
    this.clients.set(client.id, client);
    if (expiresAtMs !== undefined) this.armExpiry(client, expiresAtMs);
    this.options.log.info(
      { client: client.id, subject: principal.subject, role: principal.role, transport },
      'gateway client connected',
    );
    return client;
  }

  remove(client: Client, code: number, reason: string): void {
    if (!this.clients.delete(client.id)) return;
    clearTimeout(this.expiry.get(client.id));
    this.expiry.delete(client.id);
    this.sampled.delete(client);
    const report = this.report(client);
    this.departed.push(report);
    if (this.departed.length > 100) this.departed.shift();
    this.options.log.info(
      { client: client.id, subject: client.principal.subject, code, reason, ...report.stats },
      'gateway client left',
    );
  }

  broadcast(frame: Frame): void {
    this.framesByType.set(
      frame.type ?? 'none',
      (this.framesByType.get(frame.type ?? 'none') ?? 0) + 1,
    );
    if (this.corked.size === 0 && this.clients.size > 0) setImmediate(() => this.uncorkAll());
    for (const client of this.clients.values()) {
      // One write per client per turn, however many frames the turn broadcasts: the cost of
      // a fan-out is clients × turns in syscalls, not clients × frames.
      if (!this.corked.has(client)) {
        this.corked.add(client);
        client.socket.cork?.();
      }
      client.queue.offer(frame);
      if (client.queue.behind) this.sampled.add(client);
    }
  }

  private uncorkAll(): void {
    for (const client of this.corked) client.socket.uncork?.();
    this.corked.clear();
  }

  reports(): ClientReport[] {
    return [...this.clients.values()].map((c) => this.report(c));
  }

  /** Closes every client (1001 going away) and stops the timers. */
  close(): void {
    clearInterval(this.flushTimer);
    this.uncorkAll();
    for (const client of [...this.clients.values()]) {
      client.socket.close(1001, 'gateway stopping');
      this.remove(client, 1001, 'gateway stopping');
    }
  }

  private report(c: Client): ClientReport {
    return {
      id: c.id,
      subject: c.principal.subject,
      role: c.principal.role,
      transport: c.transport,
      heldFrames: c.queue.heldFrames,
      closedReason: c.queue.closedReason,
      stats: { ...c.queue.stats },
    };
  }

  private flushSampled(): void {
    for (const client of this.sampled) {
      if (!client.queue.flush()) this.sampled.delete(client);
    }
  }

  private armExpiry(client: Client, expiresAtMs: number): void {
    const now = (this.options.now ?? Date.now)();
    const delay = Math.max(0, expiresAtMs - now);
    const timer = setTimeout(
      () => {
        if (delay > MAX_TIMER_MS) return this.armExpiry(client, expiresAtMs);
        client.socket.close(CLOSE_TOKEN_EXPIRED, 'token expired');
        this.remove(client, CLOSE_TOKEN_EXPIRED, 'token expired');
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    this.expiry.set(client.id, timer);
  }
}
