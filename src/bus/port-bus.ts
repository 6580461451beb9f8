import { LandfallError } from '../errors.js';
import { assertOpen } from './closed.js';
import type {
  Bus,
  BusHealth,
  BusMessage,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './types.js';

/** What a PortBus asks of the thread that owns the real bus (port-bridge.ts answers). */
export type PortRequest =
  | {
      t: 'pub';
      batch: Array<{ id: number; topic: string; value: Uint8Array; options: PublishOptions }>;
    }
  | { t: 'sub'; id: number; topic: string; options: SubscribeOptions }
  | { t: 'unsub'; id: number }
  | { t: 'handled'; sub: number; msg: number; error?: string };

/** What the owning thread answers. */
export type PortReply =
  | { t: 'pubacks'; ok: number[]; failed: Array<{ id: number; error: string }> }
  | { t: 'subscribed'; id: number; error?: string }
  | { t: 'unsubscribed'; id: number }
  | { t: 'deliver'; sub: number; msg: number; message: BusMessage };

/** The port a PortBus talks through: a worker's parentPort, the Worker itself, a channel's end. */
export interface BusPort {
  /** Structured-cloned to the other side. */
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: never) => void): unknown;
  off(event: 'message', listener: (value: never) => void): unknown;
}

/** A publish refused because the thread that owns the bus has `maxQueued` still to confirm. */
export class PortQueueFullError extends LandfallError {
  constructor(topic: string, queued: number) {
    super(
      'LF_BUS_PUBLISH',
      `publish to ${topic} dropped: ${queued} publishes from this thread are still ` +
        'unconfirmed (the thread that owns the bus is behind)',
    );
  }
}

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface PortBusOptions {
  /** Publishes handed to the owning thread and not yet confirmed; beyond, publish fails at once. */
  maxQueued: number;
}

/** A worker thread's endpoint (a Worker, or parentPort inside one) as a BusPort. */
export function portOf(endpoint: {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}): BusPort {
  return {
    postMessage: (value) => endpoint.postMessage(value),
    on: (event, listener) => endpoint.on(event, listener as (value: unknown) => void),
    off: (event, listener) => endpoint.off(event, listener as (value: unknown) => void),
  };
}

/**
 * A Bus for a worker thread whose process's bus lives on another thread. Publishes are queued
 * and handed over once per event-loop turn, in one message; each resolves when the real bus
 * accepted it. The queue is bounded: a publish beyond `maxQueued` unconfirmed ones is refused
 * at once (PortQueueFullError) and counted in `dropped`, so a thread that publishes from a hot
 * path never waits on, nor grows memory behind, a slow owner. Subscriptions run on the real
 * bus; each message is handled here and acknowledged there once its handler settles, so the
 * rules of `types.ts` hold as they do for the real bus.
 */
export class PortBus implements Bus {
  readonly kind = 'memory' as const;
  readonly #publishes = new Map<number, Waiting>();
  readonly #subs = new Map<number, { handler: Handler; ready: Waiting; closed?: Waiting }>();
  /** The promises of unconfirmed publishes, for drain(). */
  readonly #inFlight = new Set<Promise<void>>();
  #queue: Extract<PortRequest, { t: 'pub' }>['batch'] = [];
  #next = 0;
  #closed = false;
  #dropped = 0;
  readonly #onReply = (reply: PortReply) => this.#reply(reply);

  constructor(
    readonly port: BusPort,
    readonly options: PortBusOptions,
  ) {
    port.on('message', this.#onReply);
  }

  /** Publishes handed over and not yet confirmed by the owning thread. */
  get queued(): number {
    return this.#publishes.size;
  }

  /** Publishes refused so far because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    assertOpen(this.#closed, 'publish to', topic);
    if (this.#publishes.size >= this.options.maxQueued) {
      this.#dropped++;
      return Promise.reject(new PortQueueFullError(topic, this.#publishes.size));
    }
    const id = ++this.#next;
    if (this.#queue.length === 0) setImmediate(() => this.#flush());
    this.#queue.push({ id, topic, value, options });
    const published = new Promise<void>((resolve, reject) =>
      this.#publishes.set(id, { resolve, reject }),
    );
    this.#inFlight.add(published);
    const forget = () => void this.#inFlight.delete(published);
    published.then(forget, forget);
    return published;
  }

  subscribe(topic: string, handler: Handler, options: SubscribeOptions): Promise<Subscription> {
    assertOpen(this.#closed, 'subscribe to', topic);
    const id = ++this.#next;
    return new Promise<Subscription>((resolve, reject) => {
      const subscription: Subscription = {
        close: () =>
          new Promise<void>((closed, failed) => {
            const sub = this.#subs.get(id);
            if (!sub) {
              closed();
              return;
            }
            sub.closed = { resolve: closed, reject: failed };
            this.#post({ t: 'unsub', id });
          }),
      };
      this.#subs.set(id, {
        handler,
        ready: { resolve: () => resolve(subscription), reject },
      });
      this.#post({ t: 'sub', id, topic, options });
    });
  }

  async health(): Promise<BusHealth> {
    return { ok: !this.#closed, detail: `through the owning thread, ${this.queued} unconfirmed` };
  }

  /** Resolves once every publish so far is confirmed (or refused). */
  async drain(): Promise<void> {
    this.#flush();
    await Promise.allSettled([...this.#inFlight]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all(
      [...this.#subs.keys()].map(
        (id) =>
          new Promise<void>((resolve) => {
            const sub = this.#subs.get(id);
            if (!sub) {
              resolve();
              return;
            }
            sub.closed = { resolve, reject: () => resolve() };
            this.#post({ t: 'unsub', id });
          }),
      ),
    );
    await this.drain();
    this.#closed = true;
    this.port.off('message', this.#onReply);
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#post({ t: 'pub', batch });
  }

  #post(request: PortRequest): void {
    this.port.postMessage(request);
  }

  #reply(reply: PortReply): void {
    switch (reply.t) {
      case 'pubacks':
        for (const id of reply.ok) this.#settle(id)?.resolve();
        for (const { id, error } of reply.failed) {
          this.#settle(id)?.reject(new LandfallError('LF_BUS_PUBLISH', error));
        }
        return;
      case 'subscribed': {
        const sub = this.#subs.get(reply.id);
        if (!sub) return;
        if (reply.error === undefined) sub.ready.resolve();
        else {
          this.#subs.delete(reply.id);
          sub.ready.reject(new LandfallError('LF_BUS_CONNECT', reply.error));
        }
        return;
      }
      case 'unsubscribed': {
        const sub = this.#subs.get(reply.id);
        this.#subs.delete(reply.id);
        sub?.closed?.resolve();
        return;
      }
      case 'deliver': {
        const sub = this.#subs.get(reply.sub);
        const done = (error?: string) =>
          this.#post({
            t: 'handled',
            sub: reply.sub,
            msg: reply.msg,
            ...(error === undefined ? {} : { error }),
          });
        if (!sub) {
          done('subscription closed');
          return;
        }
        // Key order is kept by the real bus, which waits for this answer.
        sub.handler(reply.message, { release: () => {} }).then(
          () => done(),
          (err: unknown) => done(err instanceof Error ? err.message : String(err)),
        );
        return;
      }
    }
  }

  #settle(id: number): Waiting | undefined {
    const w = this.#publishes.get(id);
    this.#publishes.delete(id);
    return w;
  }
}
