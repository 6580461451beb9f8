import { createInterface } from 'node:readline';
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { EnvelopeSchema } from '../gen/landfall/v1/realtime_pb.js';

/**
 * The client side of the gateway benchmark, run as its own process (`node
 * dist/bench/gateway-clients.js`) so the clients do not share an event loop with the gateway.
 * Opens GW_CLIENTS WebSockets to GW_URL with GW_TOKEN, prints `{"ready":n}` once all are open,
 * records receive time − the message's ts_ms for every metrics frame whose ts_ms is at or after
 * GW_RECORD_FROM_MS, and on a line `done` on stdin prints `{"result":…}` and exits.
 *
 * Clock: the sender stamps ts_ms just after a millisecond boundary of Date.now(); here the
 * receive time is performance.timeOrigin + performance.now(), the same wall clock at µs grain.
 */
/**
 * `ts_ms` of an Envelope carrying metrics (field 10 → MetricsUpdate field 3), read with the
 * wire reader. One process stands in for a thousand browsers here: a full reflective decode of
 * every frame (~15 µs each) would bill this process's CPU to the gateway's latency on a shared
 * 2-core machine, where each browser would decode only its own frames.
 */
function metricsTsMs(frame: Uint8Array): number | undefined {
  const envelope = new BinaryReader(frame);
  while (envelope.pos < envelope.len) {
    const [field, wire] = envelope.tag();
    if (field !== 10) {
      envelope.skip(wire);
      continue;
    }
    const metrics = new BinaryReader(envelope.bytes());
    while (metrics.pos < metrics.len) {
      const [f, w] = metrics.tag();
      if (f === 3) return Number(metrics.int64());
      metrics.skip(w);
    }
    return 0;
  }
  return undefined;
}

function checkAgainstFullDecode(frame: Uint8Array, read: number | undefined): void {
  const e = fromBinary(EnvelopeSchema, frame);
  const full = e.payload.case === 'metrics' ? Number(e.payload.value.tsMs) : undefined;
  if (full !== read) {
    process.stderr.write(`wire reader read ts_ms ${read}, full decode ${full}\n`);
    process.exit(2);
  }
}

const url = process.env.GW_URL ?? '';
const token = process.env.GW_TOKEN ?? '';
const clients = Number(process.env.GW_CLIENTS ?? '1000');
const connectConcurrency = 100;

const histogram = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
});
let recordFrom = Number.POSITIVE_INFINITY;
let recorded = 0;
let frames = 0;
let closedEarly = 0;
const perClient = new Array<number>(clients).fill(0);
let cpuFrom = process.cpuUsage();
let wallFrom = performance.now();

function open(i: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['landfall.v1', `bearer.${token}`], { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('close', () => closedEarly++);
    ws.on('message', (data: Buffer) => {
      const now = performance.timeOrigin + performance.now();
      frames++;
      const sent = metricsTsMs(data);
      // Every 1000th frame is decoded in full too, to check the wire reader against it.
      if (frames % 1000 === 1) checkAgainstFullDecode(data, sent);
      if (sent === undefined || sent < recordFrom) return;
      perClient[i] = (perClient[i] ?? 0) + 1;
      recorded++;
      histogram.recordValue(Math.max(1, Math.round((now - sent) * 1000)));
    });
  });
}

const sockets: WebSocket[] = [];
for (let next = 0; next < clients; next += connectConcurrency) {
  const batch = Array.from({ length: Math.min(connectConcurrency, clients - next) }, (_, k) =>
    open(next + k),
  );
  sockets.push(...(await Promise.all(batch)));
}
process.stdout.write(`${JSON.stringify({ ready: sockets.length })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(' ');
  if (cmd === 'record-from') {
    recordFrom = Number(arg);
    cpuFrom = process.cpuUsage();
    wallFrom = performance.now();
  }
  if (cmd !== 'done') continue;
  const ms = (us: number) => us / 1000;
  const counts = [...perClient].sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpuFrom);
  const cpuPct = (100 * (cpu.user + cpu.system)) / 1000 / (performance.now() - wallFrom);
  process.stdout.write(
    `${JSON.stringify({
      result: {
        p50: ms(histogram.getValueAtPercentile(50)),
        p99: ms(histogram.getValueAtPercentile(99)),
        max: ms(histogram.maxValue),
        recorded,
        frames,
        closedEarly,
        cpuPct,
        minPerClient: counts[0] ?? 0,
        maxPerClient: counts[counts.length - 1] ?? 0,
      },
    })}\n`,
  );
  for (const ws of sockets) ws.terminate();
  break;
}
process.exit(0);
