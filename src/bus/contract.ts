import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { UntilTimeout, until } from '../testing/until.js';
import { sleep } from './delivery.js';
import { type Bus, type BusFeatures, type BusMessage, DlqHeaders, dlqTopic } from './types.js';

/**
 * The one contract every Bus adapter passes. Each adapter's test file calls it with a factory
 * and the features it supports; a test the adapter cannot support skips itself and says why.
 */
export interface BusContractTarget {
  name: string;
  features: BusFeatures;
  /** Why the whole suite cannot run here (e.g. no broker configured); undefined to run. */
  skip?: string | undefined;
  create(): Promise<Bus>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function uniqueTopic(label: string): string {
  return `t-${label}-${randomUUID().slice(0, 8)}`;
}

/** Polls until `check` is true or the deadline passes; returns whether it became true. */
export async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  try {
    await until(check, 'a condition', timeoutMs);
    return true;
  } catch (err) {
    if (err instanceof UntilTimeout) return false;
    throw err;
  }
}

/** When the target cannot run here, reports the suite as one skipped test that says why. */
export function reportedSkipped(title: string, target: BusContractTarget): boolean {
  if (target.skip === undefined) return false;
  describe(title, () => {
    it.skip(`skipped: ${target.skip}`, () => {});
  });
  return true;
}

export function busContract(target: BusContractTarget): void {
  const title = `bus contract: ${target.name}`;
  if (reportedSkipped(title, target)) return;

  describe(title, () => {
    let bus: Bus;
    beforeAll(async () => {
      bus = await target.create();
    });
    afterAll(async () => {
      await bus?.close();
    });

    async function publishN(
      topic: string,
      n: number,
      key: (i: number) => string = (i) => `k${i % 7}`,
    ) {
      for (let i = 0; i < n; i++) {
        await bus.publish(topic, enc.encode(String(i)), {
          key: key(i),
          headers: { seq: String(i) },
        });
      }
    }

    it('delivers value, key and headers intact, from the earliest message for a new group', async () => {
      const topic = uniqueTopic('basic');
      await publishN(topic, 20);
      const got: BusMessage[] = [];
      const sub = await bus.subscribe(topic, async (m) => void got.push(m), {
        group: 'g',
        start: 'earliest',
      });
      expect(await eventually(() => got.length >= 20)).toBe(true);
      await sub.close();
      const values = got.map((m) => Number(dec.decode(m.value))).sort((a, b) => a - b);
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const m of got) {
        expect(m.topic).toBe(topic);
        expect(m.key).toBe(`k${Number(dec.decode(m.value)) % 7}`);
        expect(m.headers.seq).toBe(dec.decode(m.value));
        expect(m.offset).not.toBe('');
      }
    });

    it('starts a new group at the end when asked for latest', async () => {
      const topic = uniqueTopic('latest');
      await publishN(topic, 5);
      const got: string[] = [];
      const sub = await bus.subscribe(topic, async (m) => void got.push(dec.decode(m.value)), {
        group: 'late',
        start: 'latest',
      });
      await sleep(200);
      await bus.publish(topic, enc.encode('after'), { key: 'x' });
      expect(await eventually(() => got.length >= 1)).toBe(true);
      await sleep(200);
      await sub.close();
      expect(got).toEqual(['after']);
    });

    it('keeps order per key while handling keys concurrently', async () => {
      const topic = uniqueTopic('order');
      const n = 300;
      await publishN(topic, n, (i) => `key-${i % 5}`);
      const seen = new Map<string, number[]>();
      let count = 0;
      const sub = await bus.subscribe(
        topic,
        async (m) => {
          await sleep(Math.random() < 0.1 ? 2 : 0);
          const list = seen.get(m.key) ?? [];
          list.push(Number(dec.decode(m.value)));
          seen.set(m.key, list);
          count++;
        },
        { group: 'ordered' },
      );
      expect(await eventually(() => count >= n)).toBe(true);
      await sub.close();
      expect(seen.size).toBe(5);
      for (const list of seen.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    });

    it('acknowledges only after the handler succeeds: a failing attempt is retried', async () => {
      const topic = uniqueTopic('retry');
      await publishN(topic, 3);
      const attempts = new Map<string, number[]>();
      const sub = await bus.subscribe(
        topic,
        async (m) => {
          const v = dec.decode(m.value);
          attempts.set(v, [...(attempts.get(v) ?? []), m.attempt]);
          if (v === '1' && m.attempt < 2) throw new Error('transient');
        },
        { group: 'retry', maxAttempts: 3 },
      );
      expect(
        await eventually(() => attempts.size === 3 && (attempts.get('1')?.length ?? 0) >= 2),
      ).toBe(true);
      await sub.close();
      expect(attempts.get('1')).toEqual([1, 2]);
    });

    it('resumes a known group where it left off', async () => {
      const topic = uniqueTopic('resume');
      await publishN(topic, 10);
      const first: string[] = [];
      let sub = await bus.subscribe(topic, async (m) => void first.push(dec.decode(m.value)), {
        group: 'r',
      });
      expect(await eventually(() => first.length >= 10)).toBe(true);
      await sub.close();
      await bus.publish(topic, enc.encode('10'), { key: 'k' });
      const second: string[] = [];
      sub = await bus.subscribe(topic, async (m) => void second.push(dec.decode(m.value)), {
        group: 'r',
        start: 'earliest',
      });
      expect(await eventually(() => second.length >= 1)).toBe(true);
      await sleep(300);
      await sub.close();
      expect(second).toEqual(['10']);
    });

    it('shares a group between members, each message to one member', async () => {
      const topic = uniqueTopic('share');
      const n = 200;
      const a: string[] = [];
      const b: string[] = [];
      const member = (into: string[]) => async (m: BusMessage) => {
        await sleep(1);
        into.push(dec.decode(m.value));
      };
      const subA = await bus.subscribe(topic, member(a), { group: 'shared' });
      const subB = await bus.subscribe(topic, member(b), { group: 'shared' });
      await publishN(topic, n, (i) => `k${i}`);
      expect(await eventually(() => a.length + b.length >= n)).toBe(true);
      await sleep(300);
      await Promise.all([subA.close(), subB.close()]);
      expect(new Set([...a, ...b]).size).toBe(n);
      expect(a.length + b.length).toBe(n);
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
    });

    it('delivers every message to every group', async () => {
      const topic = uniqueTopic('groups');
      await publishN(topic, 15);
      const counts = new Map<string, number>();
      const subs = await Promise.all(
        ['group-0', 'group-1'].map((group) =>
          bus.subscribe(topic, async () => void counts.set(group, (counts.get(group) ?? 0) + 1), {
            group,
          }),
        ),
      );
      expect(
        await eventually(() => counts.get('group-0') === 15 && counts.get('group-1') === 15),
      ).toBe(true);
      await Promise.all(subs.map((s) => s.close()));
    });

    it('holds up to maxInFlight messages of different keys at once (a batching consumer relies on it)', async () => {
      const topic = uniqueTopic('inflight');
      const window = 20;
      let running = 0;
      let peak = 0;
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let handled = 0;
      const sub = await bus.subscribe(
        topic,
        async () => {
          running++;
          peak = Math.max(peak, running);
          if (running >= window) release();
          await released;
          running--;
          handled++;
        },
        { group: 'wide', maxInFlight: window },
      );
      await publishN(topic, 50, (i) => `distinct-${i}`);
      expect(await eventually(() => handled === 50)).toBe(true);
      await sub.close();
      expect(peak).toBe(window);
    });

    it('drains a backlog much larger than maxInFlight, across all partitions', async () => {
      const topic = uniqueTopic('backlog');
      const n = 600;
      await publishN(topic, n, (i) => `spread-${i}`);
      const seen = new Set<string>();
      const sub = await bus.subscribe(
        topic,
        async (m) => {
          await sleep(0);
          seen.add(dec.decode(m.value));
        },
        { group: 'narrow', maxInFlight: 3 },
      );
      expect(await eventually(() => seen.size === n)).toBe(true);
      await sub.close();
    });

    it('dead-letters a message whose handler keeps failing, with the reason, and carries on', async () => {
      const topic = uniqueTopic('dlq');
      await publishN(topic, 4, () => 'same-key');
      const handled: string[] = [];
      let poisonAttempts = 0;
      const sub = await bus.subscribe(
        topic,
        async (m) => {
          if (dec.decode(m.value) === '2') {
            poisonAttempts++;
            throw new Error('cannot handle 2');
          }
          handled.push(dec.decode(m.value));
        },
        { group: 'poison', maxAttempts: 3 },
      );
      const dead: BusMessage[] = [];
      const dlqSub = await bus.subscribe(dlqTopic(topic), async (m) => void dead.push(m), {
        group: 'dlq-reader',
      });
      expect(await eventually(() => dead.length >= 1 && handled.length >= 3)).toBe(true);
      await Promise.all([sub.close(), dlqSub.close()]);
      expect(handled).toEqual(['0', '1', '3']);
      expect(poisonAttempts).toBe(3);
      const letter = dead[0] as BusMessage;
      expect(dec.decode(letter.value)).toBe('2');
      expect(letter.key).toBe('same-key');
      expect(letter.headers[DlqHeaders.reason]).toBe('cannot handle 2');
      expect(letter.headers[DlqHeaders.topic]).toBe(topic);
      expect(letter.headers[DlqHeaders.group]).toBe('poison');
      expect(letter.headers[DlqHeaders.attempts]).toBe('3');
      expect(letter.headers[DlqHeaders.offset]).not.toBe('');
      expect(letter.headers.seq).toBe('2');
    });

    it('waits for in-flight handlers on close and takes nothing after', async () => {
      const topic = uniqueTopic('close');
      let started = 0;
      let finished = 0;
      const sub = await bus.subscribe(
        topic,
        async () => {
          started++;
          await sleep(300);
          finished++;
        },
        { group: 'closing', maxInFlight: 1 },
      );
      await bus.publish(topic, enc.encode('a'), { key: 'a' });
      expect(await eventually(() => started === 1)).toBe(true);
      await sub.close();
      expect(finished).toBe(1);
      await bus.publish(topic, enc.encode('b'), { key: 'b' });
      await sleep(300);
      expect(started).toBe(1);
    });

    it.skipIf(!target.features.orderAcrossMembers)(
      `keeps per-key order across members of a group${target.features.orderAcrossMembers ? '' : ` (skipped: ${target.name} does not partition by key)`}`,
      async () => {
        const topic = uniqueTopic('order-members');
        const n = 200;
        const seen = new Map<string, number[]>();
        let count = 0;
        const handler = async (m: BusMessage) => {
          const list = seen.get(m.key) ?? [];
          list.push(Number(dec.decode(m.value)));
          seen.set(m.key, list);
          count++;
        };
        const subs = [
          await bus.subscribe(topic, handler, { group: 'om' }),
          await bus.subscribe(topic, handler, { group: 'om' }),
        ];
        await publishN(topic, n, (i) => `key-${i % 9}`);
        expect(await eventually(() => count >= n)).toBe(true);
        await Promise.all(subs.map((s) => s.close()));
        for (const list of seen.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
      },
    );

    it.skipIf(!target.features.transientGroups)(
      `removes a transient group when its subscription closes${target.features.transientGroups ? '' : ` (skipped: ${target.name} keeps every group)`}`,
      async () => {
        const topic = uniqueTopic('transient');
        await publishN(topic, 3);
        const got: string[] = [];
        const options = { group: 'view-1', start: 'earliest', transient: true } as const;
        const handler = async (m: BusMessage) => void got.push(dec.decode(m.value));
        const first = await bus.subscribe(topic, handler, options);
        expect(await eventually(() => got.length >= 3)).toBe(true);
        await first.close();
        // A kept group would resume after the three; a removed one starts afresh from earliest.
        const second = await bus.subscribe(topic, handler, options);
        expect(await eventually(() => got.length >= 6)).toBe(true);
        await second.close();
        expect(got.slice(3).sort()).toEqual(['0', '1', '2']);
      },
    );

    it('lets a handler release its key early: the next message of the key starts, in order', async () => {
      const topic = uniqueTopic('release');
      await publishN(topic, 5, () => 'one-key');
      const started: number[] = [];
      const finished: number[] = [];
      let open = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const sub = await bus.subscribe(
        topic,
        async (m, delivery) => {
          started.push(Number(dec.decode(m.value)));
          delivery.release();
          await gate; // like a sink waiting for its batch to be stored
          finished.push(Number(dec.decode(m.value)));
        },
        { group: 'released' },
      );
      // Without release the second message of the key would wait for the first to finish.
      expect(await eventually(() => started.length === 5)).toBe(true);
      expect(finished).toEqual([]);
      expect(started).toEqual([0, 1, 2, 3, 4]);
      open();
      expect(await eventually(() => finished.length === 5)).toBe(true);
      await sub.close();
    });

    it('reports health', async () => {
      const health = await bus.health();
      expect(health.ok).toBe(true);
      expect(health.detail).not.toBe('');
    });
  });

  describe(`${title}: after close`, () => {
    it('refuses to publish once closed', async () => {
      const bus = await target.create();
      await bus.close();
      const err = await bus
        .publish(uniqueTopic('closed'), enc.encode('x'), { key: 'x' })
        .catch((e) => e);
      expect(isLandfallError(err, 'LF_BUS_CLOSED')).toBe(true);
    });
  });
}
