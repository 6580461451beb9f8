// A worker for worker-pool.test.ts: squares a number, refuses a negative one, and exits
// without answering on 13 (a crash the pool must notice).
import { parentPort, workerData } from 'node:worker_threads';

parentPort.on('message', (n) => {
  if (n === 13) process.exit(0);
  if (n < 0) parentPort.postMessage({ ok: false, error: `negative: ${n}` });
  else parentPort.postMessage({ ok: true, result: { square: n * n, offset: workerData.offset } });
});
