import { parentPort } from 'node:worker_threads';
import { reasonOf } from '../errors.js';
import type { RowJob, RowReply } from './row-builder.js';
import { encodeRows } from './row-encoder.js';
import { sinkTables } from './rows.js';

// A row worker: decodes one table's payloads and encodes their insert text, off the thread
// that owns the store and the bus. Replies transfer the body, so nothing is copied back.
const port = parentPort;
if (!port) throw new Error('row-worker.ts runs as a worker thread (see row-builder.ts)');
const specs = new Map(sinkTables.map((s) => [s.table, s]));

port.on('message', (job: RowJob) => {
  let reply: RowReply;
  try {
    const spec = specs.get(job.table);
    if (!spec) throw new Error(`no sink table ${job.table}`);
    const { arena, offsets } = job;
    const encoded = encodeRows(
      spec,
      (i) => arena.subarray(offsets[i], offsets[i + 1]),
      job.publishedAt,
      job.publishedAt.length,
    );
    reply = { id: job.id, ok: true, ...encoded };
  } catch (err) {
    reply = { id: job.id, ok: false, error: reasonOf(err) };
  }
  const transfer = reply.ok
    ? [reply.body.buffer as ArrayBuffer, reply.rows.buffer as ArrayBuffer]
    : [];
  port.postMessage(reply, transfer);
});
// Loaded: the sink may send batches here from now on (it encodes inline until then).
port.postMessage({ ready: true });
