import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { sampleFor } from '../proto/samples.js';
import { type BusContractTarget, eventually, reportedSkipped } from './contract.js';
import { type TopicMessage, type TopicName, topicNames } from './topics.js';
import { decodeTopic, TypedBus } from './typed.js';
import { type Bus, type BusMessage, DlqHeaders, dlqTopic, type Subscription } from './types.js';

/** The protobuf layer's rules, run over a real adapter: decode, validate, dead-letter. */
export function typedContract(target: BusContractTarget): void {
  const title = `typed bus: ${target.name}`;
  if (reportedSkipped(title, target)) return;

  describe(title, () => {
    let bus: Bus;
    let typed: TypedBus;
    const prefix = `tb-${randomUUID().slice(0, 8)}.`;
    /** Per test id: where the payload ended up. */
    const fate = new Map<string, 'handled' | 'dlq'>();
    const reasons = new Map<string, string>();
    const subs: Subscription[] = [];

    beforeAll(async () => {
      bus = await target.create();
      typed = new TypedBus(bus, { prefix });
      for (const topic of topicNames) {
        subs.push(
          await typed.subscribe(
            topic,
            async (_message, raw) => void fate.set(raw.headers['x-test-id'] ?? '?', 'handled'),
            { group: 'typed' },
          ),
          await bus.subscribe(
            dlqTopic(prefix + topic),
            async (m: BusMessage) => {
              const id = m.headers['x-test-id'] ?? '?';
              fate.set(id, 'dlq');
              reasons.set(id, m.headers[DlqHeaders.reason] ?? '');
            },
            { group: 'typed-dlq' },
          ),
        );
      }
    });
    afterAll(async () => {
      await Promise.all(subs.map((s) => s.close()));
      await bus?.close();
    });

    async function publishRaw(topic: TopicName, bytes: Uint8Array): Promise<string> {
      const id = randomUUID();
      await bus.publish(prefix + topic, bytes, { key: id, headers: { 'x-test-id': id } });
      return id;
    }

    it('delivers a valid message of every topic to its typed handler', async () => {
      for (const topic of topicNames) {
        const id = randomUUID();
        await typed.publish(topic, sampleFor(topic, `id-${id}`) as TopicMessage<typeof topic>, {
          'x-test-id': id,
        });
        expect(await eventually(() => fate.has(id))).toBe(true);
        expect(fate.get(id), topic).toBe('handled');
      }
    });

    it('dead-letters undecodable bytes, missing ids and unknown enum values with the reason', async () => {
      const garbage = await publishRaw('bundle-outcomes-proto', new Uint8Array([0xff, 0xff, 0xff]));
      const empty = await publishRaw('train-acks-proto', new Uint8Array());
      // field 2 (action) = 99: decodes, but no such ControlAction
      const badEnum = await publishRaw(
        'control-proto',
        new Uint8Array([0x0a, 0x01, 0x63, 0x10, 0x63]),
      );
      expect(
        await eventually(() => fate.has(garbage) && fate.has(empty) && fate.has(badEnum)),
      ).toBe(true);
      expect([fate.get(garbage), fate.get(empty), fate.get(badEnum)]).toEqual([
        'dlq',
        'dlq',
        'dlq',
      ]);
      expect(reasons.get(garbage)).toMatch(/^cannot decode landfall\.v1\.BundleOutcome/);
      expect(reasons.get(empty)).toBe('invalid landfall.v1.TrainAck: job_id is required');
      expect(reasons.get(badEnum)).toBe(
        'invalid landfall.v1.ControlCommand: action: unknown enum value 99',
      );
    });

    it('refuses to publish an invalid message, and sends nothing', async () => {
      const bad = { ...sampleFor('bundle-outcomes-proto', 'x'), bundleId: '' };
      const err = await typed
        .publish('bundle-outcomes-proto', bad as TopicMessage<'bundle-outcomes-proto'>)
        .catch((e) => e);
      expect(isLandfallError(err, 'LF_PROTO_INVALID')).toBe(true);
    });

    it('property: arbitrary bytes on every topic end in the handler or the dead-letter topic, never lost', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(...topicNames), fc.uint8Array({ maxLength: 64 })), {
            minLength: 1,
            maxLength: 12,
          }),
          async (payloads) => {
            const ids: Array<[string, TopicName, Uint8Array]> = [];
            for (const [topic, bytes] of payloads)
              ids.push([await publishRaw(topic, bytes), topic, bytes]);
            const done = await eventually(() => ids.every(([id]) => fate.has(id)));
            if (!done) return false;
            // Independently of the consumer: a payload that fails decode/validation must be in the DLQ.
            return ids.every(
              ([id, topic, bytes]) => fate.get(id) === (decodes(topic, bytes) ? 'handled' : 'dlq'),
            );
          },
        ),
        { numRuns: 25 },
      );
      // and the consumer still works afterwards
      const id = randomUUID();
      await typed.publish(
        'metrics-proto',
        sampleFor('metrics-proto', 'agent-x') as TopicMessage<'metrics-proto'>,
        {
          'x-test-id': id,
        },
      );
      expect(await eventually(() => fate.get(id) === 'handled')).toBe(true);
    });
  });
}

function decodes(topic: TopicName, bytes: Uint8Array): boolean {
  try {
    decodeTopic(topic, bytes);
    return true;
  } catch {
    return false;
  }
}
