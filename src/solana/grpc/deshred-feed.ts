import type { Logger } from '../../log.js';
import { WakeableSleep } from '../../ops/wakeable-sleep.js';
import {
  type DeshredStream,
  DeshredUnsupportedError,
  type GeyserConnector,
  type SubscribeDeshredRequest,
  type SubscribeUpdateDeshred,
} from './geyser-client.js';

/**
 * The `SubscribeDeshred` stream beside the `Subscribe` one, where the endpoint serves it: the
 * transactions naming the watched pools as the endpoint rebuilds them from shreds, before it
 * executes them — earlier than the processed transaction stream, which waits for execution.
 * Feature-detected: an endpoint answering UNIMPLEMENTED (or a client without the method) is
 * marked `unsupported` once and never asked again; the processed stream carries every swap
 * anyway. Any other failure reconnects with backoff.
 *
 * What it does not have, by the protocol (geyser.proto `SubscribeDeshredRequest`): no
 * `from_slot`, so a drop loses what came meanwhile (the processed stream, which replays, still
 * brings those swaps, later); no transaction meta, so no inner instructions (a swap routed
 * through an aggregator's CPI is not seen here, only on the processed stream) and no error (a
 * transaction that will fail still triggers: its backrun, priced on a state that never comes,
 * reverts on its guarded minimum output and a bundle of it lands nothing).
 */
export type DeshredState = 'off' | 'connecting' | 'on' | 'unsupported';

export interface DeshredFeedOptions {
  readonly connector: GeyserConnector;
  readonly pools: readonly string[];
  readonly onTransaction: (update: SubscribeUpdateDeshred, receivedMs: number) => void;
  readonly now: () => number;
  readonly log: Logger;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly pingMs: number;
}

/** The deshred filters: non-vote transactions naming a watched pool (ALT addresses resolved). */
export function deshredRequest(pools: readonly string[]): SubscribeDeshredRequest {
  return {
    deshredTransactions: {
      pools: { vote: false, accountInclude: [...pools], accountExclude: [], accountRequired: [] },
    },
    slots: {},
  };
}

export class DeshredFeed {
  state: DeshredState = 'off';
  readonly stats = { attempts: 0, connects: 0, drops: 0, transactions: 0 };
  private stream: DeshredStream | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly backoff = new WakeableSleep();
  /** Settles on stop: a read waiting on the native stream gives up at once. */
  private readonly halted: Promise<IteratorReturnResult<undefined>>;
  private halt!: () => void;

  constructor(private readonly options: DeshredFeedOptions) {
    this.halted = new Promise((resolve) => {
      this.halt = () => resolve({ done: true, value: undefined });
    });
  }

  /** Starts the stream in the background; `state` says what came of it. */
  start(): void {
    if (this.options.connector.subscribeDeshred === undefined) {
      this.unsupported('the gRPC client cannot ask for SubscribeDeshred');
      return;
    }
    this.state = 'connecting';
    this.running = this.loop();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.halt();
    this.stream?.close();
    this.backoff.wake();
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    const o = this.options;
    let delay = o.reconnectMinMs;
    while (!this.stopped) {
      try {
        this.stats.attempts++;
        const stream = await (o.connector.subscribeDeshred as () => Promise<DeshredStream>)();
        this.stream = stream;
        if (this.stopped) break;
        stream.write(deshredRequest(o.pools));
        this.stats.connects++;
        this.state = 'on';
        delay = o.reconnectMinMs;
        await this.read(stream);
        if (!this.stopped) throw new Error('the server ended the deshred stream');
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof DeshredUnsupportedError) {
          this.unsupported(err.message);
          return;
        }
        this.stats.drops++;
        this.state = 'connecting';
        o.log.warn(
          { err: (err as Error).message, retryMs: delay },
          'deshred stream dropped; reconnecting (what it missed comes on the processed stream)',
        );
      } finally {
        this.stream?.close();
        this.stream = undefined;
      }
      await this.backoff.sleep(delay);
      delay = Math.min(delay * 2, o.reconnectMaxMs);
    }
  }

  private async read(stream: DeshredStream): Promise<void> {
    const o = this.options;
    let pingId = 0;
    const pinger = setInterval(
      () => stream.write({ ...deshredRequest(o.pools), ping: { id: ++pingId } }),
      o.pingMs,
    );
    const updates = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([updates.next(), this.halted]);
        if (next.done === true || this.stopped) return;
        if (next.value.deshredTransaction?.transaction === undefined) continue;
        this.stats.transactions++;
        o.onTransaction(next.value, o.now());
      }
    } finally {
      clearInterval(pinger);
    }
  }

  private unsupported(why: string): void {
    this.state = 'unsupported';
    this.options.log.info({ reason: why }, 'deshred stream unavailable; using processed only');
  }
}
