import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../bus/delivery.js';
import { NatsBus, streamName } from '../bus/nats.js';
import { TypedBus } from '../bus/typed.js';
import { validateConfig } from '../config/load.js';
import { sampleBundleOutcome } from '../proto/samples.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { NatsServer } from '../testing/servers.js';
import { openStore } from './client.js';

const N = 3_000;
const TOPIC = 'bundle-outcomes-proto';
const GROUP = validateConfig({}).store.sink.group;
/** How long each sink lives once running before it is killed: varied, fixed for reruns. */
const LIFETIMES_MS = [400, 900, 250, 700];

// `landfall sink` in child processes on a real JetStream, killed with SIGKILL mid-stream and
// restarted: at-least-once delivery plus event-id deduplication must give exactly N rows.
describe('sink crash safety (nats → chdb, child processes)', () => {
  let server: NatsServer;
  let producer: NatsBus;
  const home = mkdtempSync(join(tmpdir(), 'lf-sink-crash-'));

  beforeAll(async () => {
    server = await NatsServer.start();
    producer = await NatsBus.connect({
      servers: [server.url],
      ackWaitMs: 2_000,
      maxInFlight: 10_000,
    });
    // Create the sink's consumer ahead with a 2 s ack wait (JetStream's redelivery delay for
    // what a killed sink held), instead of the 30 s default, so the test ends promptly.
    const sub = await producer.subscribe(TOPIC, async () => {}, {
      group: GROUP,
      maxInFlight: 10_000,
    });
    await sub.close();
  });
  afterAll(async () => {
    await producer?.close();
    await server?.dispose();
  });

  function sink(): LandfallProcess {
    return new LandfallProcess(
      ['sink', '--stats-every', '0'],
      {
        LANDFALL_HOME: home,
        LANDFALL_BUS__KIND: 'nats',
        NATS_URL: server.url,
        LANDFALL_LOG__LEVEL: 'info',
        LANDFALL_STORE__SINK__FLUSH_MS: '50',
      },
      home,
    );
  }

  async function acknowledgedAll(): Promise<boolean> {
    const info = await producer.jsm.consumers.info(streamName(TOPIC), GROUP);
    return info.delivered.stream_seq >= N && info.num_pending === 0 && info.num_ack_pending === 0;
  }

  it('stores each of N outcomes exactly once across repeated SIGKILLs', {
    timeout: 180_000,
  }, async () => {
    const typed = new TypedBus(producer);
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        await typed.publish(TOPIC, { ...sampleBundleOutcome(i), bundleId: `crash-${i}` });
        if (i % 50 === 49) await sleep(20);
      }
    })();

    for (const lifetime of LIFETIMES_MS) {
      const p = sink();
      await p.waitForLog('sink running');
      await sleep(lifetime);
      expect((await p.kill('SIGKILL')).signal).toBe('SIGKILL');
    }

    const last = sink();
    await last.waitForLog('sink running');
    await publishing;
    for (
      const deadline = Date.now() + 90_000;
      !(await acknowledgedAll()) && Date.now() < deadline;
    ) {
      await sleep(200);
    }
    expect(await acknowledgedAll()).toBe(true);
    const exit = await last.kill('SIGTERM');
    expect(exit.code).toBe(0);
    expect(last.logs.some((l) => l.msg === 'sink stopped')).toBe(true);

    // The children are gone: this process may open the data directory now.
    const config = validateConfig({ home });
    const store = await openStore(config.store, { home });
    try {
      const [row] = await store.query<{ rows: string; ids: string; raw: string }>(
        `SELECT (SELECT count() FROM ${store.database}.bundle_outcomes FINAL) AS rows,
                (SELECT uniqExact(bundle_id) FROM ${store.database}.bundle_outcomes) AS ids,
                (SELECT count() FROM ${store.database}.bundle_outcomes) AS raw`,
      );
      // `raw` may exceed N (redelivered rows not merged yet); FINAL collapses them.
      expect({ rows: row?.rows, ids: row?.ids }).toEqual({ rows: String(N), ids: String(N) });
    } finally {
      await store.close();
    }
  });
});
