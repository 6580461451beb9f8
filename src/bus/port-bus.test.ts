import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { until } from '../testing/until.js';
import { MemoryBus } from './memory.js';
import { bridgeBus } from './port-bridge.js';
import { PortBus, portOf } from './port-bus.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function pair(maxQueued = 1_000) {
  const real = new MemoryBus({ maxAttempts: 2 });
  const { port1, port2 } = new MessageChannel();
  const unbridge = bridgeBus(real, portOf(port1));
  const far = new PortBus(portOf(port2), { maxQueued });
  cleanups.push(
    () => real.close(),
    () => {
      port1.close();
      port2.close();
    },
    unbridge,
  );
  return { real, far };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('PortBus over a MessageChannel', () => {
  it('publishes onto the real bus, resolving once it accepted', async () => {
    const { real, far } = pair();
    const got: string[] = [];
    await real.subscribe('t', async (m) => void got.push(`${m.key}=${text(m.value)}`), {
      group: 'g',
    });
    await Promise.all([1, 2, 3].map((i) => far.publish('t', bytes(String(i)), { key: 'k' })));
    await until(() => got.length === 3, 'three messages on the real bus');
    expect(got).toEqual(['k=1', 'k=2', 'k=3']);
  });

  it('handles messages of the real bus here, acknowledging there only after the handler', async () => {
    const { real, far } = pair();
    let attempts = 0;
    const handled: string[] = [];
    const sub = await far.subscribe(
      't',
      async (m) => {
        attempts++;
        if (attempts === 1) throw new Error('first attempt fails');
        handled.push(text(m.value));
      },
      { group: 'g' },
    );
    await real.publish('t', bytes('x'), { key: 'k' });
    await until(() => handled.length === 1, 'the retried message handled');
    expect(attempts).toBe(2);
    await sub.close();
  });

  it('refuses publishes beyond its bound of unconfirmed ones', async () => {
    const { far } = pair(2);
    const first = [
      far.publish('t', bytes('1'), { key: 'k' }),
      far.publish('t', bytes('2'), { key: 'k' }),
    ];
    const refused = await far.publish('t', bytes('3'), { key: 'k' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isLandfallError(refused, 'LF_BUS_PUBLISH')).toBe(true);
    expect(far.dropped).toBe(1);
    await Promise.all(first);
    expect(far.queued).toBe(0);
    await far.publish('t', bytes('4'), { key: 'k' });
  });

  it('never holds the bus once the other thread is gone: closing settles what it was handling', async () => {
    // A port nobody answers: the other thread died after subscribing.
    const real = new MemoryBus({ maxAttempts: 5 });
    const { port1, port2 } = new MessageChannel();
    const unbridge = bridgeBus(real, portOf(port1));
    let delivered = 0;
    let subscribed = false;
    port2.on('message', (m: { t: string }) => {
      if (m.t === 'deliver') delivered++;
      if (m.t === 'subscribed') subscribed = true;
    });
    port2.postMessage({ t: 'sub', id: 1, topic: 'control', options: { group: 'g' } });
    await until(() => subscribed, 'the bridge subscribed');
    await real.publish('control', bytes('kill'), { key: 'k' });
    await until(() => delivered === 1, 'the message posted to the dead thread');
    await unbridge();
    await real.publish('control', bytes('again'), { key: 'k' });
    // The bus closes: nothing waits on the dead thread, and nothing more is posted to it.
    await real.close();
    expect(delivered).toBe(1);
    port1.close();
    port2.close();
  });
});
