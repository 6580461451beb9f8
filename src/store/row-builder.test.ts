import { describe, expect, it } from 'vitest';
import { encodeTopic } from '../bus/typed.js';
import type { BusMessage } from '../bus/types.js';
import { sampleBundleOutcome } from '../proto/samples.js';
import { RowBuilder } from './row-builder.js';
import { sinkTables } from './rows.js';

const found = sinkTables.find((s) => s.table === 'bundle_outcomes');
if (!found) throw new Error('bundle_outcomes');
const spec = found;

function batch(n: number): BusMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    topic: spec.topic,
    key: `b-${i}`,
    value:
      i === 3
        ? new Uint8Array([0xff])
        : encodeTopic(spec.topic, { ...sampleBundleOutcome(i), bundleId: `b-${i}` }),
    headers: {},
    offset: String(i),
    timestamp: 1_795_000_000_000 + i,
    attempt: 1,
  }));
}

describe('RowBuilder', () => {
  it('encodes on a worker exactly what it encodes inline, failures included', async () => {
    const inline = new RowBuilder(0);
    const workers = new RowBuilder(2);
    try {
      await workers.ready;
      const messages = batch(50);
      const [a, b, c] = await Promise.all([
        inline.encode(spec, messages),
        workers.encode(spec, messages),
        workers.encode(spec, messages),
      ]);
      for (const got of [b, c]) {
        expect(Buffer.from(got.body).equals(Buffer.from(a.body))).toBe(true);
        expect([...got.rows]).toEqual([...a.rows]);
        expect(got.failures).toEqual(a.failures);
        expect(got.columns).toEqual(a.columns);
      }
      expect(a.failures.map((f) => f.index)).toEqual([3]);
      // The messages are untouched: the worker got copies of their payloads.
      expect(messages[0]?.value.length).toBeGreaterThan(0);
    } finally {
      await inline.close();
      await workers.close();
    }
  }, 60_000);
});
