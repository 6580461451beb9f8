import { EventEmitter } from 'node:events';
import {
  type CommitOptionsPartition,
  type Consumer,
  type ConsumerOptions,
  commitOptionsValidator,
  consumeOptionsValidator,
  type GroupOptions,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { eventually } from './contract.js';
import { sleep } from './delivery.js';
import { KafkaSubscription, type KafkaSubscriptionOptions } from './kafka-subscription.js';
import { type BusMessage, DlqHeaders, type PublishOptions } from './types.js';

// The subscription's own logic (gating on rebalances, per-partition commit points, close) run
// against a fake group member: the test plays the broker, so this needs no Kafka.

const TOPIC = 'orders';

class FakeStream extends EventEmitter {
  readonly offsetsToFetch = new Map<string, bigint>();
  paused = false;
  closed = false;
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

class FakeMember extends EventEmitter {
  readonly stream = new FakeStream();
  readonly commits: CommitOptionsPartition[] = [];
  assignments: { topic: string; partitions: number[] }[] | null = null;
  closed = false;
  readonly #options: GroupOptions;
  #generation = 0;

  constructor(options: ConsumerOptions<string, Buffer, string, string>) {
    super();
    this.#options = options as GroupOptions;
  }

  /** Checks requests with the client's own validators, so the shapes sent are ones it takes. */
  #check(validate: typeof commitOptionsValidator, options: unknown): void {
    if (!validate(options)) throw new Error(JSON.stringify(validate.errors));
  }

  async consume(options: unknown): Promise<FakeStream> {
    this.#check(consumeOptionsValidator, options);
    await this.rebalance([0, 1]);
    setTimeout(() => this.stream.emit('offsets'), 1);
    return this.stream;
  }

  /** What a rebalance does to a member: the JoinGroup hook runs, then the assignment arrives. */
  async rebalance(partitions: number[], memberId = 'member-1'): Promise<void> {
    await this.#options.protocolsMetadata?.([], [TOPIC], {} as never, () => {});
    this.assignments = [{ topic: TOPIC, partitions }];
    const generationId = ++this.#generation;
    this.emit('consumer:group:join', {
      groupId: 'g',
      memberId,
      generationId,
      assignments: this.assignments,
    });
  }

  async commit(options: { offsets: CommitOptionsPartition[] }): Promise<void> {
    this.#check(commitOptionsValidator, options);
    await sleep(1);
    this.commits.push(...options.offsets);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  deliver(partition: number, offset: number, key: string): void {
    const value = `${partition}:${offset}`;
    this.stream.emit('data', {
      topic: TOPIC,
      partition,
      offset: BigInt(offset),
      key,
      value: Buffer.from(value),
      headers: new Map([['h', value]]),
      timestamp: 1_700_000_000_000n,
      leaderEpoch: 3,
    });
  }

  committed(partition: number): bigint | undefined {
    return this.commits.filter((c) => c.partition === partition).at(-1)?.offset;
  }
}

function deferred() {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

async function setup(overrides: Partial<KafkaSubscriptionOptions> = {}) {
  let member: FakeMember | undefined;
  const handled: string[] = [];
  const published: { topic: string; options: PublishOptions }[] = [];
  const sub = new KafkaSubscription({
    brokers: ['fake:9092'],
    clientId: 'test',
    topic: TOPIC,
    group: 'g',
    start: 'earliest',
    maxAttempts: 2,
    maxInFlight: 100,
    handler: async (m) => void handled.push(m.offset),
    publish: async (topic, _value, options) => void published.push({ topic, options }),
    logger: createLogger('silent'),
    onClosed: () => {},
    createConsumer: (options) => {
      member = new FakeMember(options);
      return member as unknown as Consumer<string, Buffer, string, string>;
    },
    ...overrides,
  });
  await sub.start();
  return { sub, member: member as FakeMember, handled, published };
}

describe('KafkaSubscription (fake group member)', () => {
  it('hands over key, value, headers and position, then commits past the message', async () => {
    const seen: BusMessage[] = [];
    const { sub, member } = await setup({ handler: async (m) => void seen.push(m) });
    member.deliver(0, 0, 'a');
    expect(await eventually(() => member.committed(0) === 1n, 2_000)).toBe(true);
    const got = seen[0];
    expect(got).toMatchObject({ topic: TOPIC, key: 'a', offset: '0:0', headers: { h: '0:0' } });
    expect(got?.timestamp).toBe(1_700_000_000_000);
    expect(new TextDecoder().decode(got?.value)).toBe('0:0');
    expect(member.commits.at(-1)?.leaderEpoch).toBe(3);
    await sub.close();
    expect(member.stream.closed && member.closed).toBe(true);
  });

  it('commits a partition only past messages whose handlers have all finished', async () => {
    const slow = deferred();
    const { sub, member, handled } = await setup({
      handler: async (m) => {
        if (m.key === 'slow') await slow.promise;
        handled.push(m.offset);
      },
    });
    member.deliver(0, 0, 'slow');
    member.deliver(0, 1, 'fast');
    member.deliver(0, 2, 'fast');
    member.deliver(1, 0, 'fast');
    expect(await eventually(() => handled.length === 3, 2_000)).toBe(true);
    await sleep(20);
    expect(member.committed(0)).toBeUndefined();
    expect(member.committed(1)).toBe(1n);
    slow.open();
    expect(await eventually(() => member.committed(0) === 3n, 2_000)).toBe(true);
    await sub.close();
  });

  it('keeps per-key order and skips what a refetch delivers again', async () => {
    const seen: string[] = [];
    const { sub, member } = await setup({
      handler: async (m) => {
        await sleep(Math.random() * 3);
        seen.push(`${m.key}@${m.offset}`);
      },
    });
    for (let o = 0; o < 10; o++) member.deliver(0, o, o % 2 ? 'a' : 'b');
    for (let o = 5; o < 13; o++) member.deliver(0, o, o % 2 ? 'a' : 'b'); // 5..9 again, then 10..12
    expect(await eventually(() => member.committed(0) === 13n, 2_000)).toBe(true);
    expect(seen).toHaveLength(13);
    for (const key of ['a', 'b']) {
      const offsets = seen.filter((s) => s.startsWith(key)).map((s) => Number(s.split(':')[1]));
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    }
    await sub.close();
  });

  it('on a rebalance, finishes and commits running work first, then keeps only what it still owns', async () => {
    const running = deferred();
    const { sub, member, handled } = await setup({
      handler: async (m) => {
        handled.push(m.offset);
        if (m.offset === '1:0') await running.promise;
      },
    });
    member.deliver(1, 0, 'x');
    expect(await eventually(() => handled.includes('1:0'), 2_000)).toBe(true);
    const commitsAtJoin: CommitOptionsPartition[] = [];
    member.on('consumer:group:join', () => commitsAtJoin.push(...member.commits));
    const joined = { done: false };
    const rebalance = member.rebalance([0]).then(() => {
      joined.done = true; // partition 1 moved away
    });
    member.deliver(0, 0, 'k'); // arrives mid-rebalance: waits for the new assignment
    member.deliver(1, 1, 'z');
    await sleep(30);
    expect(joined.done).toBe(false); // the JoinGroup waits for the running handler
    expect(handled).toEqual(['1:0']);
    running.open();
    await rebalance;
    expect(commitsAtJoin.map((c) => [c.partition, c.offset])).toEqual([[1, 1n]]);
    member.deliver(1, 2, 'z'); // a late fetch of a partition now owned elsewhere
    expect(await eventually(() => handled.includes('0:0'), 2_000)).toBe(true);
    await sleep(30);
    expect(handled).toEqual(['1:0', '0:0']);
    await sub.close();
  });

  it('reads a partition new to it from the committed offset, not from an old position', async () => {
    const { sub, member } = await setup();
    member.deliver(0, 0, 'a');
    for (const p of [0, 1, 2]) member.stream.offsetsToFetch.set(`${TOPIC}:${p}`, 5n);
    await member.rebalance([0, 2]);
    expect(member.stream.offsetsToFetch.has(`${TOPIC}:0`)).toBe(true); // kept, and tracked here
    expect(member.stream.offsetsToFetch.has(`${TOPIC}:2`)).toBe(false); // the client refreshes it
    await sub.close();
  });

  it('pauses the stream at maxInFlight and resumes as handlers finish', async () => {
    const gate = deferred();
    const { sub, member } = await setup({ maxInFlight: 2, handler: () => gate.promise });
    member.deliver(0, 0, 'a');
    expect(member.stream.paused).toBe(false);
    member.deliver(0, 1, 'b');
    expect(member.stream.paused).toBe(true);
    gate.open();
    expect(await eventually(() => !member.stream.paused, 2_000)).toBe(true);
    await sub.close();
  });

  it('on close, waits for running handlers, starts nothing queued, commits and leaves', async () => {
    const gate = deferred();
    const { sub, member, handled } = await setup({
      handler: async (m) => {
        handled.push(m.offset);
        await gate.promise;
      },
    });
    member.deliver(0, 0, 'a');
    member.deliver(0, 1, 'a'); // queued behind 0:0 in key a's lane
    expect(await eventually(() => handled.length === 1, 2_000)).toBe(true);
    const state = { closed: false };
    const closing = sub.close().then(() => {
      state.closed = true;
    });
    await sleep(20);
    expect(state.closed).toBe(false);
    gate.open();
    await closing;
    expect(handled).toEqual(['0:0']);
    expect(member.committed(0)).toBe(1n);
    expect(member.stream.closed && member.closed).toBe(true);
  });

  it('dead-letters after maxAttempts and moves on; retries a dead letter that failed', async () => {
    let refusals = 1;
    const published: { topic: string; options: PublishOptions }[] = [];
    const { sub, member } = await setup({
      handler: async () => {
        throw new Error('cannot handle');
      },
      publish: async (topic, _value, options) => {
        if (refusals-- > 0) throw new Error('broker said no');
        published.push({ topic, options });
      },
    });
    member.deliver(0, 0, 'a');
    expect(await eventually(() => member.committed(0) === 1n, 5_000)).toBe(true);
    expect(published).toHaveLength(1);
    expect(published[0]?.topic).toBe(`${TOPIC}.dlq`);
    expect(published[0]?.options.headers?.[DlqHeaders.attempts]).toBe('2');
    expect(published[0]?.options.headers?.[DlqHeaders.offset]).toBe('0:0');
    await sub.close();
  });
});
