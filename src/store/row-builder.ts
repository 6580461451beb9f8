import type { Worker } from 'node:worker_threads';
import type { BusMessage } from '../bus/types.js';
import { LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
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

/** One worker thread and the jobs it holds, so a worker's death fails its own jobs only. */
interface Slot {
  worker: Worker | undefined;
  ready: boolean;
  readonly jobs: Map<number, Waiting>;
  /** Deaths since this slot's worker last answered a job: drives the backoff and the cap. */
  deaths: number;
  respawn: NodeJS.Timeout | undefined;
}

export interface RowBuilderOptions {
  /** Where a worker's death and the respawns go. */
  logger?: Logger;
  /** The worker module, as its `.js` URL (tests give one that misbehaves). */
  script?: URL;
  /** First respawn delay; it doubles per consecutive death. Default 100 ms. */
  respawnMs?: number;
}

/** Consecutive deaths after which a slot stays empty (its share goes to the others or inline). */
export const MAX_RESPAWNS = 5;
const MAX_RESPAWN_DELAY_MS = 5_000;

/**
 * Turns a batch of bus messages into insert text. With `workers` > 0 the protobuf decoding
 * and row encoding (most of the sink's CPU, and nearly all of its garbage) run on worker
 * threads, batches spread round-robin; the caller's thread only packs payloads and inserts.
 * With 0 they run inline, as they do until a worker has loaded (a worker started from the
 * TypeScript sources takes a second or more to compile its imports: nothing waits for it),
 * and whenever no worker is alive.
 * A worker that dies (an error, or an exit nobody asked for) fails only the jobs it held —
 * their messages are retried by the bus — and is replaced after a backoff, at most
 * MAX_RESPAWNS times in a row without a job answered.
 */
export class RowBuilder {
  readonly #slots: Slot[] = [];
  #allReady: () => void = () => {};
  /** Settles once every worker has loaded or been given up (at once without workers). */
  readonly ready: Promise<void>;
  readonly #script: URL;
  readonly #respawnMs: number;
  readonly #logger: Logger | undefined;
  #next = 0;
  #id = 0;
  #closed = false;

  constructor(
    readonly workers: number,
    options: RowBuilderOptions = {},
  ) {
    this.#script = options.script ?? ROW_WORKER;
    this.#respawnMs = options.respawnMs ?? 100;
    this.#logger = options.logger;
    this.ready = new Promise((resolve) => {
      this.#allReady = resolve;
    });
    for (let i = 0; i < workers; i++) {
      const slot: Slot = {
        worker: undefined,
        ready: false,
        jobs: new Map(),
        deaths: 0,
        respawn: undefined,
      };
      this.#slots.push(slot);
      this.#spawn(slot);
    }
    this.#checkReady();
  }

  /** Jobs sent to a worker and not yet answered, over all workers. */
  get outstanding(): number {
    let n = 0;
    for (const s of this.#slots) n += s.jobs.size;
    return n;
  }

  /** Workers alive now (loaded or loading). */
  get alive(): number {
    return this.#slots.filter((s) => s.worker !== undefined).length;
  }

  encode(spec: SinkTable, batch: readonly BusMessage[]): Promise<EncodedRows> {
    const publishedAt = new Float64Array(batch.length);
    for (let i = 0; i < batch.length; i++) publishedAt[i] = (batch[i] as BusMessage).timestamp;
    const slot = this.#pick();
    if (slot === undefined) {
      return Promise.resolve(
        encodeRows(spec, (i) => (batch[i] as BusMessage).value, publishedAt, batch.length),
      );
    }
    const worker = slot.worker as Worker;
    const offsets = new Uint32Array(batch.length + 1);
    for (let i = 0; i < batch.length; i++)
      offsets[i + 1] = (offsets[i] as number) + (batch[i] as BusMessage).value.length;
    const arena = new Uint8Array(offsets[batch.length] as number);
    for (let i = 0; i < batch.length; i++) arena.set((batch[i] as BusMessage).value, offsets[i]);
    const job: RowJob = { id: ++this.#id, table: spec.table, arena, offsets, publishedAt };
    return new Promise<EncodedRows>((resolve, reject) => {
      slot.jobs.set(job.id, { resolve, reject });
      // Held while a batch is out, so the process waits for its answer; idle workers let it exit.
      worker.ref();
      worker.postMessage(job, [arena.buffer, offsets.buffer, publishedAt.buffer]);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#allReady();
    const workers: Worker[] = [];
    for (const slot of this.#slots) {
      clearTimeout(slot.respawn);
      if (slot.worker) workers.push(slot.worker);
      slot.worker = undefined;
      slot.ready = false;
    }
    await Promise.all(workers.map((w) => w.terminate()));
    const closed = new LandfallError('LF_INTERNAL', 'row builder closed');
    for (const slot of this.#slots) this.#failJobs(slot, closed);
  }

  /** The next loaded worker, round-robin; undefined when none is. */
  #pick(): Slot | undefined {
    const n = this.#slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.#slots[this.#next++ % n] as Slot;
      if (slot.ready && slot.worker) return slot;
    }
    return undefined;
  }

  #spawn(slot: Slot): void {
    slot.respawn = undefined;
    if (this.#closed) return;
    const worker = startModuleWorker(this.#script);
    slot.worker = worker;
    slot.ready = false;
    worker.unref();
    worker.on('message', (reply: RowReply | { ready: true }) => {
      if (slot.worker !== worker) return;
      if ('ready' in reply) {
        slot.ready = true;
        this.#checkReady();
        return;
      }
      const waiting = slot.jobs.get(reply.id);
      if (!waiting) return;
      slot.jobs.delete(reply.id);
      slot.deaths = 0;
      if (slot.jobs.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply);
      else waiting.reject(new LandfallError('LF_INTERNAL', `row worker: ${reply.error}`));
    });
    // 'error' is followed by 'exit'; whichever comes first retires the worker, once.
    worker.on('error', (err) => this.#lost(slot, worker, err));
    worker.on('exit', (code) => this.#lost(slot, worker, new Error(`exited with code ${code}`)));
  }

  #lost(slot: Slot, worker: Worker, cause: Error): void {
    if (slot.worker !== worker || this.#closed) return;
    slot.worker = undefined;
    slot.ready = false;
    this.#failJobs(
      slot,
      new LandfallError('LF_INTERNAL', `a sink row worker died: ${cause.message}`, { cause }),
    );
    void worker.terminate();
    slot.deaths++;
    if (slot.deaths > MAX_RESPAWNS) {
      this.#logger?.error(
        { deaths: slot.deaths - 1, err: cause.message },
        'sink row worker keeps dying: not replaced (its batches go to the other workers or inline)',
      );
      this.#checkReady();
      return;
    }
    const delay = Math.min(MAX_RESPAWN_DELAY_MS, this.#respawnMs * 2 ** (slot.deaths - 1));
    this.#logger?.warn({ err: cause.message, respawnInMs: delay }, 'sink row worker died');
    slot.respawn = setTimeout(() => this.#spawn(slot), delay);
    slot.respawn.unref();
  }

  #failJobs(slot: Slot, err: Error): void {
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const job of jobs) job.reject(err);
  }

  #checkReady(): void {
    // A slot given up counts as settled: waiting for it would never end.
    if (this.#slots.every((s) => s.ready || (s.worker === undefined && !s.respawn)))
      this.#allReady();
  }
}

const ROW_WORKER = new URL('./row-worker.js', import.meta.url);
