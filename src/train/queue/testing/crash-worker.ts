// A BullMQ worker in its own process, for the killed-worker test: it takes one job, appends a
// `start` row to the rows file, reports progress 0.5, says so on stdout, and then hangs until
// the test SIGKILLs it (no `done` row, no chance to release the job's lock).
// Run: node --experimental-transform-types --import src/testing/resolve-ts.mjs \
//        src/train/queue/testing/crash-worker.ts '<queue config JSON>' <queue name> <rows file>
import { appendFileSync } from 'node:fs';
import { queueSchema } from '../../../config/schema.js';
import { createWorker } from '../create.js';

const [configJson, name, rowsFile] = process.argv.slice(2);
if (configJson === undefined || name === undefined || rowsFile === undefined) {
  process.stderr.write('usage: crash-worker.ts <queue config JSON> <queue name> <rows file>\n');
  process.exit(2);
}
const config = queueSchema.parse(JSON.parse(configJson));

createWorker(config, name, async (job) => {
  const row = {
    event: 'start',
    pid: process.pid,
    id: job.id,
    attempt: job.attempt,
    runs: job.runs,
  };
  appendFileSync(rowsFile, `${JSON.stringify(row)}\n`);
  await job.progress(0.5);
  process.stdout.write(`progress-reported ${job.id}\n`);
  await new Promise(() => {});
});
process.stdout.write('worker-started\n');
