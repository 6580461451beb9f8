import { fromBinary } from '@bufbuild/protobuf';
import { type Envelope, EnvelopeSchema } from '../../src/gen/landfall/v1/realtime_pb.js';

/** A reply to a message the page sent (see src/gateway/commands.ts). */
export interface Reply {
  type: 'control-result' | 'error';
  id: string | null;
  ok?: boolean;
  commandId?: string;
  code?: string;
  message?: string;
  field?: string;
}

export type StreamStatus = 'connecting' | 'live' | 'refused' | 'reconnecting' | 'closed';

export interface StreamHandlers {
  envelope(e: Envelope): void;
  status(s: StreamStatus, detail: string): void;
}

/**
 * The gateway connection. The token travels as a sub-protocol (`bearer.<jwt>` beside
 * `landfall.v1`), never in the URL. A connection that never opens was refused (the gateway
 * answers 401 before the handshake for a bad or expired token): the page asks to sign in again
 * instead of retrying. A connection lost after opening is retried with backoff.
 */
export class Stream {
  #ws: WebSocket | undefined;
  #stopped = false;
  #retryMs = 500;
  #nextId = 1;
  readonly #pending = new Map<string, (r: Reply) => void>();

  constructor(
    private readonly token: string,
    private readonly handlers: StreamHandlers,
  ) {
    this.#open();
  }

  #open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url, ['landfall.v1', `bearer.${this.token}`]);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#retryMs = 500;
      this.handlers.status('live', '');
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        this.handlers.envelope(fromBinary(EnvelopeSchema, new Uint8Array(ev.data)));
        return;
      }
      const reply = JSON.parse(String(ev.data)) as Reply;
      const done = reply.id === null ? undefined : this.#pending.get(reply.id);
      if (done && reply.id !== null) {
        this.#pending.delete(reply.id);
        done(reply);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      for (const done of this.#pending.values())
        done({ type: 'error', id: null, code: 'LF_GATEWAY_CLOSED', message: 'connection lost' });
      this.#pending.clear();
      if (this.#stopped) return this.handlers.status('closed', '');
      if (!opened) return this.handlers.status('refused', 'the gateway refused this token');
      if (ev.code === 4001) return this.handlers.status('refused', 'the token expired');
      this.handlers.status('reconnecting', `lost (${ev.code}); retrying`);
      setTimeout(() => this.#stopped || this.#open(), this.#retryMs);
      this.#retryMs = Math.min(10_000, this.#retryMs * 2);
    };
  }

  /** Sends a control command; resolves with the gateway's reply. */
  control(body: Record<string, unknown>): Promise<Reply> {
    const id = `c${this.#nextId++}`;
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN)
      return Promise.resolve({
        type: 'error',
        id,
        code: 'LF_GATEWAY_CLOSED',
        message: 'not connected',
      });
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      ws.send(JSON.stringify({ type: 'control', id, ...body }));
    });
  }

  close(): void {
    this.#stopped = true;
    this.#ws?.close(1000, 'signed out');
  }
}
