import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsServer } from '../../test/servers.js';
import { eventually, uniqueTopic } from './contract.js';
import { sleep } from './delivery.js';
import { NatsBus } from './nats.js';

describe('nats: server restart while publishing', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('consumes every acknowledged publish after the restart', async () => {
    const bus = await NatsBus.connect({ servers: [server.url] });
    const topic = uniqueTopic('restart');
    const acked = new Set<number>();
    let failures = 0;
    let restarted = false;
    const n = 1500;

    const producer = (async () => {
      for (let i = 0; i < n; i++) {
        for (;;) {
          try {
            await bus.publish(topic, new TextEncoder().encode(String(i)), { key: `k${i % 10}` });
            acked.add(i);
            break;
          } catch {
            failures++;
            await sleep(50);
          }
        }
      }
    })();
    // Restart mid-stream, with the producer still going.
    await eventually(() => acked.size >= n / 3, 30_000);
    const ackedBeforeRestart = acked.size;
    await server.restart();
    restarted = true;
    await producer;

    const consumed = new Set<number>();
    const sub = await bus.subscribe(
      topic,
      async (m) => void consumed.add(Number(new TextDecoder().decode(m.value))),
      {
        group: 'after-restart',
      },
    );
    expect(await eventually(() => [...acked].every((i) => consumed.has(i)), 30_000)).toBe(true);
    await sub.close();
    await bus.close();
    expect(restarted).toBe(true);
    expect(ackedBeforeRestart).toBeLessThan(n);
    expect(acked.size).toBe(n);
    // Publishes that failed during the restart were retried; only acknowledged ones count.
    console.info(`restart test: ${failures} publishes failed during the restart and were retried`);
  });
});
