import type { Worker } from 'node:worker_threads';
import type { BusMessage } from '../bus/types.js';
import { LandfallError } from '../errors.js';
import { startModuleWorker } from '../ops/module-worker.js';
import { type EncodedRows, encodeRows } from './row-encoder.js';
import type { SinkTable } from './rows.js';

/** A batch handed to a row worker: payloads packed back to back in one transferred buffer. */
export interface RowJob {
  id: number;
  table: string;
  arena: Uint8Array;
  /** Payload i is arena[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  publishedAt: Float64Array;
}

export type RowReply =
  | ({ ok: true } & EncodedRows & { id: number })
  | {
      id: number;
      ok: false;
      error: string;
    };

interface Waiting {
  resolve: (rows: EncodedRows) => void;
  reject: (err: Error) => void;
}

/**
 * Turns a batch of bus messages into insert text. With `workers` > 0 the protobuf decoding
 * and row encoding (most of the sink's CPU, and nearly all of its garbage) run on worker
 * threads, batches spread round-robin; the caller's thread only packs payloads and inserts.
 * With 0 they run inline, as they do until a worker has loaded (a worker started from the
 * TypeScript sources takes a second or more to compile its imports: nothing waits for it).
 */
export class RowBuilder {
  readonly #workers: Worker[] = [];
  /** Workers that have loaded their module; batches go inline until one has. */
  readonly #ready = new Set<Worker>();
  #allReady: () => void = () => {};
  /** Settles once every worker has loaded (at once without workers). */
  readonly ready: Promise<void>;
  readonly #waiting = new Map<number, Waiting>();
  #next = 0;
  #id = 0;

  constructor(readonly workers: number) {
    this.ready = new Promise((resolve) => {
      this.#allReady = resolve;
    });
    for (let i = 0; i < workers; i++) this.#workers.push(this.#spawn());
    if (workers === 0) this.#allReady();
  }

  encode(spec: SinkTable, batch: readonly BusMessage[]): Promise<EncodedRows> {
    const publishedAt = new Float64Array(batch.length);
    for (let i = 0; i < batch.length; i++) publishedAt[i] = (batch[i] as BusMessage).timestamp;
    const ready = this.#workers.filter((w) => this.#ready.has(w));
    if (ready.length === 0) {
      return Promise.resolve(
        encodeRows(spec, (i) => (batch[i] as BusMessage).value, publishedAt, batch.length),
      );
    }
    const offsets = new Uint32Array(batch.length + 1);
    for (let i = 0; i < batch.length; i++)
      offsets[i + 1] = (offsets[i] as number) + (batch[i] as BusMessage).value.length;
    const arena = new Uint8Array(offsets[batch.length] as number);
    for (let i = 0; i < batch.length; i++) arena.set((batch[i] as BusMessage).value, offsets[i]);
    const job: RowJob = { id: ++this.#id, table: spec.table, arena, offsets, publishedAt };
    const worker = ready[this.#next++ % ready.length] as Worker;
    return new Promise<EncodedRows>((resolve, reject) => {
      this.#waiting.set(job.id, { resolve, reject });
      // Held while a batch is out, so the process waits for its answer; idle workers let it exit.
      worker.ref();
      worker.postMessage(job, [arena.buffer, offsets.buffer, publishedAt.buffer]);
    });
  }

  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    this.#ready.clear();
    this.#allReady();
    await Promise.all(workers.map((w) => w.terminate()));
    this.#fail(new Error('row builder closed'));
  }

  #spawn(): Worker {
    const worker = startModuleWorker(ROW_WORKER);
    worker.unref();
    worker.on('message', (reply: RowReply) => {
      if ('ready' in reply) {
        this.#ready.add(worker);
        if (this.#ready.size === this.#workers.length) this.#allReady();
        return;
      }
      const waiting = this.#waiting.get(reply.id);
      if (!waiting) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) for (const w of this.#workers) w.unref();
      if (reply.ok) waiting.resolve(reply);
      else waiting.reject(new LandfallError('LF_INTERNAL', `row worker: ${reply.error}`));
    });
    worker.on('error', (err) => {
      // Its batches fail (their messages are retried by the bus) and a fresh worker takes over.
      this.#ready.delete(worker);
      const i = this.#workers.indexOf(worker);
      if (i >= 0) this.#workers[i] = this.#spawn();
      this.#fail(new LandfallError('LF_INTERNAL', 'a sink row worker crashed', { cause: err }));
    });
    return worker;
  }

  #fail(err: Error): void {
    for (const w of this.#waiting.values()) w.reject(err);
    this.#waiting.clear();
  }
}

const ROW_WORKER = new URL('./row-worker.js', import.meta.url);
