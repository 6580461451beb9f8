import { parentPort } from 'node:worker_threads';
import type { RowJob, RowReply } from '../row-builder.js';

// A row worker for tests of how the RowBuilder survives its workers. Each job's first payload
// byte says what to do: 'H' answer after a while (a healthy, busy worker), 'X' crash with an
// uncaught error, 'E' exit cleanly without answering; anything else answers at once. With
// LF_TEST_ROW_WORKER=die-at-start in the environment it crashes before it is ready.
const port = parentPort;
if (!port) throw new Error('faulty-row-worker.ts runs as a worker thread');
if (process.env.LF_TEST_ROW_WORKER === 'die-at-start') throw new Error('dies at start (test)');

function answer(job: RowJob): void {
  const n = job.publishedAt.length;
  const reply: RowReply = {
    id: job.id,
    ok: true,
    columns: ['x'],
    body: job.arena,
    rows: Int32Array.from({ length: n }, (_, i) => i),
    failures: [],
  };
  port?.postMessage(reply);
}

port.on('message', (job: RowJob) => {
  const mode = String.fromCharCode(job.arena[0] ?? 0);
  if (mode === 'X')
    setImmediate(() => {
      throw new Error('row worker crash (test)');
    });
  else if (mode === 'E') process.exit(0);
  else if (mode === 'H') setTimeout(() => answer(job), 300);
  else answer(job);
});
port.postMessage({ ready: true });
