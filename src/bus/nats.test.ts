import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsServer } from '../../test/servers.js';
import { until } from '../testing/until.js';
import { busContract, uniqueTopic } from './contract.js';
import { ackSubjectPosition, NatsBus, streamName } from './nats.js';
import { typedContract } from './typed-contract.js';

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start();
});
afterAll(async () => {
  await server?.dispose();
});

const target = {
  name: 'nats',
  features: { orderAcrossMembers: false, durable: true, transientGroups: true },
  create: () => NatsBus.connect({ servers: [server.url], maxAttempts: 3 }),
};

busContract(target);
typedContract(target);

describe('nats transient groups', () => {
  it('creates a transient consumer with an inactive threshold, so one left by a dead process goes', async () => {
    const dying = await NatsBus.connect({ servers: [server.url], transientIdleMs: 1_000 });
    const watcher = await NatsBus.connect({ servers: [server.url] });
    try {
      const topic = uniqueTopic('abandoned');
      await dying.subscribe(topic, async () => {}, {
        group: 'api-view-1234-abcd',
        start: 'latest',
        transient: true,
      });
      const info = await watcher.jsm.consumers.info(streamName(topic), 'api-view-1234-abcd');
      expect(info.config.inactive_threshold).toBe(1_000_000_000);
      // The process dies without closing its subscription: only the threshold removes it.
      await dying.nc.close();
      await until(
        () =>
          watcher.jsm.consumers.info(streamName(topic), 'api-view-1234-abcd').then(
            () => false,
            () => true,
          ),
        'the abandoned consumer to be removed by the server',
        20_000,
        200,
      );
    } finally {
      await watcher.close();
    }
  }, 30_000);
});

describe('nats ack subject position', () => {
  it('reads sequence and stored time from both ack subject forms, exact in ms past 2^53 ns', () => {
    // 2026-12-04T23:59:59.999999999Z in ns: 19 digits, beyond a double's exact integers.
    const ns = '1796428799999999999';
    expect(ackSubjectPosition(`$JS.ACK.LF_t.g.1.42.7.${ns}.3`)).toEqual({
      sequence: '42',
      timestampMs: 1_796_428_799_999,
    });
    expect(ackSubjectPosition(`$JS.ACK._.hash.LF_t.g.2.9007199254740991.8.${ns}.0.tok`)).toEqual({
      sequence: '9007199254740991',
      timestampMs: 1_796_428_799_999,
    });
    expect(ackSubjectPosition('$JS.ACK.LF_t.g.1.42.7.999.3')).toEqual({
      sequence: '42',
      timestampMs: 0,
    });
  });

  it('leaves any other subject to the client library', () => {
    for (const reply of [
      '',
      '_INBOX.abc.1',
      '$JS.ACK.LF_t.g.1.42.7',
      '$JS.ACK.LF_t.g.1..7.1796428799999999999.3',
      '$JS.ACK.LF_t.g.1.x.7.1796428799999999999.3',
      '$JS.ACK.LF_t.g.1.42.7.17964287999999999999999999.3',
    ]) {
      expect(ackSubjectPosition(reply)).toBeUndefined();
    }
  });

  it('gives each delivered message its stream sequence and publish time', async () => {
    const bus = await target.create();
    try {
      const topic = uniqueTopic('position');
      const before = Date.now();
      await bus.publish(topic, new Uint8Array([1]), { key: 'a' });
      await bus.publish(topic, new Uint8Array([2]), { key: 'b', headers: { h: 'v' } });
      const seen: Array<{ offset: string; timestamp: number; key: string; headers: object }> = [];
      const sub = await bus.subscribe(
        topic,
        async (m) => {
          seen.push({ offset: m.offset, timestamp: m.timestamp, key: m.key, headers: m.headers });
        },
        { group: 'position' },
      );
      await until(() => seen.length === 2, 'both messages', 10_000);
      await sub.close();
      seen.sort((x, y) => Number(x.offset) - Number(y.offset));
      expect(seen.map((s) => [s.offset, s.key, s.headers])).toEqual([
        ['1', 'a', {}],
        ['2', 'b', { h: 'v' }],
      ]);
      for (const s of seen) {
        expect(s.timestamp).toBeGreaterThanOrEqual(before - 1_000);
        expect(s.timestamp).toBeLessThanOrEqual(Date.now() + 1_000);
      }
    } finally {
      await bus.close();
    }
  });
});

describe('nats publish order while a stream is being created', () => {
  // A caller that does not await its publishes (the agents' thread bridge) relies on call order
  // for per-key order. Publishes waiting for the stream resume one microtask after it is known
  // to exist: a publish called in that gap must not be sent ahead of them. Fakes, so the
  // microtask interleaving is exact; each n puts the second publish at another point of it.
  for (let n = 0; n < 8; n++) {
    it(`keeps call order with the second publish ${n} microtasks after the stream answers`, async () => {
      const sent: string[] = [];
      let streamInfo: () => void = () => {};
      const nc = {
        subscribe: () => ({ unsubscribe() {} }),
        status: () => ({
          async *[Symbol.asyncIterator]() {
            await new Promise(() => {});
          },
        }),
        publish: (_subject: string, data: Uint8Array) => {
          sent.push(new TextDecoder().decode(data));
        },
      };
      const jsm = {
        streams: { info: () => new Promise<void>((resolve) => (streamInfo = resolve)) },
      };
      type Construct = new (...args: unknown[]) => NatsBus;
      const bus = new (NatsBus as unknown as Construct)(nc, {}, jsm, { publishTimeoutMs: 60_000 });
      const bytes = (s: string) => new TextEncoder().encode(s);
      void bus.publish('t', bytes('A'), { key: 'k' }).catch(() => {});
      let release: () => void = () => {};
      const other = new Promise<void>((resolve) => (release = resolve));
      const producer = (async () => {
        await other;
        for (let i = 0; i < n; i++) await null;
        void bus.publish('t', bytes('B'), { key: 'k' }).catch(() => {});
      })();
      streamInfo();
      release();
      await producer;
      await until(() => sent.length === 2, 'both publishes sent', 1_000);
      expect(sent).toEqual(['A', 'B']);
    });
  }
});
