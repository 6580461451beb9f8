import type { Frame } from './envelope.js';

/** What the fan-out needs of one connected client, whatever the transport. */
export interface ClientSocket {
  /** Bytes handed to the socket and not yet written to the network (ws `bufferedAmount`). */
  readonly bufferedBytes: number;
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
  /**
   * Holds writes back until `uncork`, so every frame of one event-loop turn leaves in one write
   * (the hub corks a client on its first frame of a turn and uncorks them all at the turn's end).
   */
  cork?(): void;
  uncork?(): void;
}

export interface QueueLimits {
  /** Beyond this many buffered bytes the client is sampled down. */
  readonly softBytes: number;
  /** Beyond this many the client is disconnected. */
  readonly hardBytes: number;
  /** Frames held back while sampled; beyond, the client is disconnected. */
  readonly maxHeldFrames: number;
  readonly sampling: 'latest' | 'disconnect';
}

export interface QueueStats {
  /** Frames handed to the socket. */
  sent: number;
  /** Held frames replaced by a newer one of the same key (metrics per agent, …). */
  replaced: number;
  /** Droppable frames (outcomes) not sent while the client was behind. */
  dropped: number;
  /** Times the client fell behind softBytes and was sampled. */
  sampledEpisodes: number;
  /** Largest buffered byte count seen when a frame was offered. */
  peakBufferedBytes: number;
}

/** Close code for a client too slow to keep up (4000–4999: application codes). */
export const CLOSE_TOO_SLOW = 4008;

/**
 * One client's bounded send queue. The socket's own buffer is the queue while it stays under
 * `softBytes`; past it the client is sampled: keyed frames are held, newest per key, droppable
 * frames are counted and dropped, and the held frames go out when the socket drains (`flush`).
 * A client is disconnected with 4008 once it is `hardBytes` behind the stream (buffered bytes
 * plus what it was not sent while sampled; reconnecting gets it fresh state sooner than catching
 * up would) or holds more than `maxHeldFrames`. Nothing here waits on the socket, so one slow
 * reader never delays the fan-out to the others.
 */
export class ClientQueue {
  readonly stats: QueueStats = {
    sent: 0,
    replaced: 0,
    dropped: 0,
    sampledEpisodes: 0,
    peakBufferedBytes: 0,
  };
  private readonly held = new Map<string, Uint8Array>();
  private unkeyed = 0;
  /** Bytes of the stream this client has missed or not yet been sent in the current episode. */
  private behindBytes = 0;
  #closed: string | undefined;

  constructor(
    private readonly socket: ClientSocket,
    private readonly limits: QueueLimits,
  ) {}

  /** Why the queue disconnected its client, if it did. */
  get closedReason(): string | undefined {
    return this.#closed;
  }

  get heldFrames(): number {
    return this.held.size;
  }

  /** True while the client is sampled: frames are held or dropped until its socket drains. */
  get behind(): boolean {
    return this.behindBytes > 0;
  }

  offer(frame: Frame): void {
    if (this.#closed !== undefined) return;
    const buffered = this.socket.bufferedBytes;
    if (buffered > this.stats.peakBufferedBytes) this.stats.peakBufferedBytes = buffered;
    if (buffered + this.behindBytes >= this.limits.hardBytes) {
      this.disconnect(`more than ${this.limits.hardBytes} bytes behind`);
      return;
    }
    if (this.held.size === 0 && this.behindBytes === 0 && buffered < this.limits.softBytes) {
      this.socket.send(frame.bytes);
      this.stats.sent++;
      return;
    }
    if (this.limits.sampling === 'disconnect') {
      this.disconnect(`send queue over ${this.limits.softBytes} bytes (sampling off)`);
      return;
    }
    if (this.behindBytes === 0) this.stats.sampledEpisodes++;
    this.behindBytes += frame.bytes.length;
    if (frame.droppable) {
      this.stats.dropped++;
      return;
    }
    const key = frame.key ?? `#${this.unkeyed++}`;
    // Delete first so a replaced key moves to the end: held frames go out in arrival order.
    if (this.held.delete(key)) this.stats.replaced++;
    this.held.set(key, frame.bytes);
    if (this.held.size > this.limits.maxHeldFrames)
      this.disconnect(`more than ${this.limits.maxHeldFrames} frames held back`);
  }

  /** Sends the held frames if the socket has drained below softBytes; true while some remain. */
  flush(): boolean {
    if (this.#closed !== undefined || this.behindBytes === 0) return false;
    const buffered = this.socket.bufferedBytes;
    if (buffered + this.behindBytes >= this.limits.hardBytes) {
      this.disconnect(`more than ${this.limits.hardBytes} bytes behind`);
      return false;
    }
    if (buffered >= this.limits.softBytes) return true;
    for (const bytes of this.held.values()) {
      this.socket.send(bytes);
      this.stats.sent++;
    }
    this.held.clear();
    this.behindBytes = 0;
    return false;
  }

  private disconnect(reason: string): void {
    this.#closed = reason;
    this.held.clear();
    this.behindBytes = 0;
    this.socket.close(CLOSE_TOO_SLOW, 'too slow: client is not reading');
  }
}
