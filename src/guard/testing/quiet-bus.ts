import type {
  Bus,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from '../../bus/types.js';

/**
 * A Bus wrapper that knows how many deliveries are still on their way to this process's
 * subscribers, so a simulation in virtual time can wait for the bus to go quiet before time
 * moves on — as if the network were instant. Without it, virtual time would race ahead of the
 * messages and every delay measured in simulated time would mean nothing. Counts only what
 * its own subscribers will receive (one delivery per subscribed group per message).
 */
export class QuietBus implements Bus {
  readonly kind: Bus['kind'];
  private readonly groups = new Map<string, Set<string>>();
  private pending = 0;

  constructor(
    private readonly inner: Bus,
    /** Poll interval while waiting; 0 = next macrotask (in-process bus). */
    private readonly pollMs = 0,
  ) {
    this.kind = inner.kind;
  }

  get inFlight(): number {
    return this.pending;
  }

  async publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    const n = this.groups.get(topic)?.size ?? 0;
    this.pending += n;
    try {
      await this.inner.publish(topic, value, options);
    } catch (err) {
      this.pending -= n;
      throw err;
    }
  }

  subscribe(topic: string, handler: Handler, options: SubscribeOptions): Promise<Subscription> {
    const set = this.groups.get(topic) ?? new Set<string>();
    set.add(options.group);
    this.groups.set(topic, set);
    return this.inner.subscribe(
      topic,
      async (message, delivery) => {
        try {
          await handler(message, delivery);
        } finally {
          this.pending--;
        }
      },
      options,
    );
  }

  /** Resolves once every counted delivery was handled; throws after `timeoutMs` of wall time. */
  async settled(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0) {
      if (Date.now() > deadline)
        throw new Error(`bus still had ${this.pending} deliveries in flight after ${timeoutMs} ms`);
      await new Promise((r) => (this.pollMs === 0 ? setImmediate(r) : setTimeout(r, this.pollMs)));
    }
  }

  health() {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
