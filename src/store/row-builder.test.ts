import { describe, expect, it } from 'vitest';
import { encodeTopic } from '../bus/typed.js';
import type { BusMessage } from '../bus/types.js';
import type { Logger } from '../log.js';
import { sampleBundleOutcome } from '../proto/samples.js';
import { MAX_RESPAWNS, RowBuilder } from './row-builder.js';
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

describe('RowBuilder with workers that die', () => {
  const script = new URL('./testing/faulty-row-worker.js', import.meta.url);
  const payload = (mode: string): BusMessage[] => [
    {
      topic: spec.topic,
      key: 'k',
      value: new TextEncoder().encode(mode),
      headers: {},
      offset: '0',
      timestamp: 1,
      attempt: 1,
    },
  ];

  it.each([
    ['crashes', 'X'],
    ['exits without an error', 'E'],
  ])(
    'a worker that %s fails its own jobs only, and is replaced',
    async (_, mode) => {
      const builder = new RowBuilder(2, { script, respawnMs: 10 });
      try {
        await builder.ready;
        // Round-robin: the first job goes to one worker, the second to the other.
        const healthy = builder.encode(spec, payload('H'));
        const dying = builder.encode(spec, payload(mode));
        await expect(dying).rejects.toThrow(/row worker died/);
        const done = await healthy;
        expect([...done.rows]).toEqual([0]);
        expect(builder.outstanding).toBe(0);
        // The dead one is replaced: once it has loaded, both workers take jobs again.
        await expect.poll(() => builder.alive, { timeout: 30_000 }).toBe(2);
        await builder.ready;
        const again = await Promise.all([
          builder.encode(spec, payload('o')),
          builder.encode(spec, payload('o')),
        ]);
        expect(again.map((r) => r.rows.length)).toEqual([1, 1]);
      } finally {
        await builder.close();
      }
    },
    60_000,
  );

  it('gives a worker up after MAX_RESPAWNS deaths in a row, with backoff, and encodes inline', async () => {
    const logged: Array<{ level: string; fields: Record<string, unknown> }> = [];
    const log = (level: string) => (fields: Record<string, unknown>) =>
      void logged.push({ level, fields });
    const logger = { warn: log('warn'), error: log('error') } as unknown as Logger;
    process.env.LF_TEST_ROW_WORKER = 'die-at-start';
    const builder = new RowBuilder(1, { script, respawnMs: 5, logger });
    try {
      await builder.ready;
      expect(builder.alive).toBe(0);
      const warnings = logged.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(MAX_RESPAWNS);
      expect(warnings.map((w) => w.fields.respawnInMs)).toEqual([5, 10, 20, 40, 80]);
      expect(logged.filter((l) => l.level === 'error')).toHaveLength(1);
      // No worker left: batches are encoded on this thread.
      const inline = await builder.encode(spec, batch(5));
      expect(inline.rows.length).toBe(4);
    } finally {
      delete process.env.LF_TEST_ROW_WORKER;
      await builder.close();
    }
  }, 60_000);
});
