import { createRequire } from 'node:module';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ClientSocket } from './client-queue.js';
import type { Frame } from './envelope.js';
import { Hub } from './hub.js';
import { binaryFrame } from './websocket.js';

/** ws's own framing (its Sender; @types/ws declares none of it). */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Array<Buffer | undefined> };
};

/** Records the order of corks, sends and uncorks, as a socket's writes would see them. */
class CorkingSocket implements ClientSocket {
  bufferedBytes = 0;
  readonly events: string[] = [];
  send(bytes: Uint8Array): void {
    this.events.push(`send ${bytes.length}`);
  }
  close(): void {}
  cork(): void {
    this.events.push('cork');
  }
  uncork(): void {
    this.events.push('uncork');
  }
}

const frame = (n: number): Frame => ({
  bytes: new Uint8Array(n),
  type: 'metrics',
  key: undefined,
  droppable: false,
});

const limits = { softBytes: 1e6, hardBytes: 1e7, maxHeldFrames: 10, sampling: 'latest' as const };

describe('Hub fan-out', () => {
  it('corks each client once per event-loop turn and uncorks after the turn', async () => {
    const hub = new Hub({ limits, flushMs: 1_000, log: pino({ level: 'silent' }) });
    const principal = { subject: 's', role: 'viewer' } as never;
    const sockets = [new CorkingSocket(), new CorkingSocket()];
    for (const s of sockets) hub.add(principal, undefined, 'test', s);
    hub.broadcast(frame(1));
    hub.broadcast(frame(2));
    hub.broadcast(frame(3));
    for (const s of sockets) expect(s.events).toEqual(['cork', 'send 1', 'send 2', 'send 3']);
    await new Promise((r) => setImmediate(r));
    hub.broadcast(frame(4));
    await new Promise((r) => setImmediate(r));
    for (const s of sockets) {
      expect(s.events).toEqual([
        'cork',
        'send 1',
        'send 2',
        'send 3',
        'uncork',
        'cork',
        'send 4',
        'uncork',
      ]);
    }
    hub.close();
  });
});

describe('binaryFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])(
    'frames %i bytes exactly as ws does, once per payload',
    (n) => {
      const payload = Buffer.alloc(n, 7);
      const parts = Sender.frame(payload, {
        fin: true,
        opcode: 2,
        mask: false,
        readOnly: false,
        rsv1: false,
      });
      const expected = Buffer.concat(parts.filter((p): p is Buffer => p !== undefined));
      expect(binaryFrame(payload).equals(expected)).toBe(true);
      expect(binaryFrame(payload)).toBe(binaryFrame(payload));
    },
  );
});
