import {
  MultipleErrors,
  NetworkError,
  ProtocolError,
  sendOptionsValidator,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { createLogger } from '../log.js';
import { busContract } from './contract.js';
import { sleep } from './delivery.js';
import { KafkaBus, kafkaFeatures } from './kafka.js';
import { SendBatcher } from './kafka-batcher.js';
import { Committer } from './kafka-committer.js';
import { KafkaSubscription } from './kafka-subscription.js';
import {
  Gate,
  isNetworkError,
  isTopicExists,
  parseBrokers,
  pickCompression,
  withTimeout,
} from './kafka-util.js';
import { typedContract } from './typed-contract.js';

const brokers = parseBrokers(process.env.KAFKA_BROKERS ?? '');

const target = {
  name: 'kafka',
  features: kafkaFeatures,
  skip:
    brokers.length === 0
      ? 'KAFKA_BROKERS is not set: start a broker and set KAFKA_BROKERS=host:port to run the Kafka contract suite'
      : undefined,
  create: () => KafkaBus.connect({ brokers, clientId: 'landfall-test', maxAttempts: 3 }),
};

busContract(target);
typedContract(target);

// Below: the adapter's own logic, run without a broker.

describe('kafka adapter: helpers', () => {
  it('compresses with zstd on this Node.js', () => {
    expect(pickCompression()).toBe('zstd');
  });

  it('recognises the client errors it branches on, however deeply wrapped', () => {
    const exists = new MultipleErrors('Creating topics failed.', [
      new MultipleErrors('response', [new ProtocolError('TOPIC_ALREADY_EXISTS')]),
    ]);
    expect(isTopicExists(exists)).toBe(true);
    expect(isTopicExists(new ProtocolError('INVALID_PARTITIONS'))).toBe(false);
    expect(isTopicExists(new Error('TOPIC_ALREADY_EXISTS'))).toBe(false);
    expect(isNetworkError(new MultipleErrors('x', [new NetworkError('Connection refused')]))).toBe(
      true,
    );
    expect(isNetworkError(new ProtocolError('TOPIC_ALREADY_EXISTS'))).toBe(false);
    expect(isNetworkError('not an error')).toBe(false);
  });

  it('sends messages in a shape the producer takes', () => {
    const message = { topic: 't.dlq', key: 'k', value: Buffer.from('v'), headers: { a: 'b' } };
    expect(
      sendOptionsValidator({ messages: [message] }),
      JSON.stringify(sendOptionsValidator.errors),
    ).toBe(true);
  });

  it('parses broker lists', () => {
    expect(parseBrokers(' a:9092, b:9093 ,,')).toEqual(['a:9092', 'b:9093']);
    expect(parseBrokers('')).toEqual([]);
  });

  it('times out a promise that does not settle', async () => {
    await expect(withTimeout(new Promise(() => {}), 10, () => new Error('late'))).rejects.toThrow(
      'late',
    );
    await expect(withTimeout(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
  });

  it('holds waiters at a closed gate until it opens', async () => {
    const gate = new Gate();
    expect(gate.closed).toBeUndefined();
    gate.close();
    let passed = false;
    const waiter = gate.closed?.then(() => {
      passed = true;
    });
    await sleep(5);
    expect(passed).toBe(false);
    gate.open();
    await waiter;
    expect(passed).toBe(true);
    expect(gate.closed).toBeUndefined();
  });

  it('builds the real client with options it accepts (the client validates them up front)', async () => {
    const sub = new KafkaSubscription({
      brokers: ['127.0.0.1:1'],
      clientId: 'test',
      topic: 't',
      group: 'g',
      start: 'latest',
      maxAttempts: 1,
      maxInFlight: 10,
      handler: async () => {},
      publish: async () => {},
      logger: createLogger('silent'),
      onClosed: () => {},
    });
    await sub.close(); // never joined: nothing to leave
  });
  it('reports LF_BUS_CONNECT with the broker list when nothing answers', async () => {
    // Port 1 on loopback: refused at once, so this exercises the client's real connect path.
    const err = await KafkaBus.connect({
      brokers: ['127.0.0.1:1'],
      clientId: 'lf-test',
      timeoutMs: 8_000,
    }).catch((e: unknown) => e);
    expect(isLandfallError(err, 'LF_BUS_CONNECT')).toBe(true);
    expect((err as Error).message).toContain('127.0.0.1:1');
  });
});

describe('kafka adapter: publish batching', () => {
  function recorder(fail?: (batch: number[]) => boolean) {
    const batches: number[][] = [];
    const send = async (items: number[]) => {
      await sleep(5);
      batches.push(items);
      if (fail?.(items)) throw new Error(`refused ${items.join(',')}`);
    };
    return { batches, send };
  }
  const opts = { lingerMs: 2, maxMessages: 4, maxBytes: 1_000, size: (n: number) => n };

  it('sends concurrent publishes together, in call order, one request at a time', async () => {
    const { batches, send } = recorder();
    const b = new SendBatcher(send, opts);
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.add(i)));
    expect(batches.flat()).toEqual([...Array(10).keys()]);
    expect(batches.length).toBeLessThan(10);
    expect(Math.max(...batches.map((x) => x.length))).toBeLessThanOrEqual(4);
  });

  it('splits batches by size, but always sends an oversized item', async () => {
    const { batches, send } = recorder();
    const b = new SendBatcher(send, opts);
    await Promise.all([600, 300, 200, 5_000, 1].map((n) => b.add(n)));
    expect(batches).toEqual([[600, 300], [200], [5_000], [1]]);
  });

  it('rejects the callers of a failed request only, and carries on', async () => {
    const { batches, send } = recorder((batch) => batch.includes(2));
    const b = new SendBatcher(send, { ...opts, maxMessages: 2 });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((n) => b.add(n)));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(batches).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('flushes what is queued', async () => {
    const { batches, send } = recorder();
    const b = new SendBatcher(send, { ...opts, lingerMs: 10_000 });
    const pending = b.add(1);
    await b.flush();
    await pending;
    expect(batches).toEqual([[1]]);
  });
});

describe('kafka adapter: offset commits', () => {
  const point = (partition: number, offset: number) => ({
    topic: 't',
    partition,
    offset: BigInt(offset),
    leaderEpoch: 0,
  });
  const show = (batch: { partition: number; offset: bigint }[]) =>
    batch.map((c) => `${c.partition}@${c.offset}`);

  it('sends one commit at a time, each with the newest point of every partition', async () => {
    const sent: string[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const c = new Committer<null>({
      commit: async (offsets) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(10);
        sent.push(show(offsets));
        inFlight--;
      },
      owns: () => true,
      onError: () => {},
    });
    c.set(point(0, 1), null); // goes out at once; the rest wait for it and merge
    c.set(point(0, 2), null);
    c.set(point(0, 3), null);
    c.set(point(1, 1), null);
    expect(await c.flush(1_000)).toBe(true);
    expect(sent).toEqual([['0@1'], ['0@3', '1@1']]);
    expect(maxInFlight).toBe(1);
  });

  it('after a failure, retries what is still owned and drops what moved away', async () => {
    const sent: string[][] = [];
    const owners = new Map([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    const c = new Committer<string>({
      commit: async (offsets) => {
        sent.push(show(offsets));
        await sleep(5);
        if (sent.length === 2) {
          owners.delete(1); // a rebalance took partition 1 meanwhile
          throw new Error('coordinator moved');
        }
      },
      owns: (p, owner) => owners.get(p) === owner,
      onError: () => {},
      retryMs: 5,
    });
    c.set(point(2, 1), 'c'); // goes out at once; the next two wait for it
    c.set(point(0, 5), 'a');
    c.set(point(1, 9), 'b');
    expect(await c.flush(1_000)).toBe(true);
    expect(sent).toEqual([['2@1'], ['0@5', '1@9'], ['0@5']]);
    c.stop();
  });

  it('gives up flushing at its deadline while a commit hangs', async () => {
    const c = new Committer<null>({
      commit: () => new Promise(() => {}),
      owns: () => true,
      onError: () => {},
    });
    c.set(point(0, 1), null);
    expect(await c.flush(30)).toBe(false);
    c.stop();
  });
});
