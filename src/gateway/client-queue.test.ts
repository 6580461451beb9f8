import { describe, expect, it } from 'vitest';
import {
  CLOSE_TOO_SLOW,
  ClientQueue,
  type ClientSocket,
  type QueueLimits,
} from './client-queue.js';
import type { Frame } from './envelope.js';

/** A socket whose unwritten byte count the test sets, as a network that drains or stalls. */
class ScriptedSocket implements ClientSocket {
  bufferedBytes = 0;
  readonly sent: string[] = [];
  closed: number | undefined;
  send(bytes: Uint8Array): void {
    this.sent.push(new TextDecoder().decode(bytes));
  }
  close(code: number): void {
    this.closed = code;
  }
}

const limits: QueueLimits = {
  softBytes: 1_000,
  hardBytes: 10_000,
  maxHeldFrames: 4,
  sampling: 'latest',
};

const frame = (text: string, key?: string, droppable = false): Frame => ({
  bytes: new TextEncoder().encode(text.padEnd(100, '.')),
  type: 'metrics',
  key,
  droppable,
});
const names = (s: ScriptedSocket) => s.sent.map((t) => t.replace(/\.+$/, ''));

describe('ClientQueue', () => {
  it('sends at once under the soft limit; past it keeps the newest per key and drops outcomes', () => {
    const socket = new ScriptedSocket();
    const q = new ClientQueue(socket, limits);
    q.offer(frame('m1', 'metrics:a'));
    socket.bufferedBytes = 1_500;
    q.offer(frame('m2', 'metrics:a'));
    q.offer(frame('o1', undefined, true));
    q.offer(frame('s1', 'slo:mev'));
    q.offer(frame('m3', 'metrics:a'));
    q.offer(frame('ack1'));
    expect(names(socket)).toEqual(['m1']);
    expect(q.flush()).toBe(true); // still behind: nothing leaves
    socket.bufferedBytes = 0;
    expect(q.flush()).toBe(false);
    // Held frames leave in arrival order, a replaced key taking its newest position.
    expect(names(socket)).toEqual(['m1', 's1', 'm3', 'ack1']);
    expect(q.stats).toMatchObject({ sent: 4, replaced: 1, dropped: 1, sampledEpisodes: 1 });
    q.offer(frame('m4', 'metrics:a'));
    expect(names(socket).at(-1)).toBe('m4');
  });

  it('disconnects with 4008 once the client is hardBytes behind', () => {
    const socket = new ScriptedSocket();
    const q = new ClientQueue(socket, limits);
    socket.bufferedBytes = 9_850;
    q.offer(frame('o1', undefined, true));
    expect(socket.closed).toBeUndefined();
    q.offer(frame('o2', undefined, true));
    expect(socket.closed).toBeUndefined();
    q.offer(frame('o3', undefined, true));
    expect(socket.closed).toBe(CLOSE_TOO_SLOW);
    expect(q.closedReason).toMatch(/10000 bytes behind/);
    q.offer(frame('m1', 'metrics:a'));
    expect(socket.sent).toHaveLength(0);
  });

  it('disconnects when more frames are held than maxHeldFrames', () => {
    const socket = new ScriptedSocket();
    const q = new ClientQueue(socket, limits);
    socket.bufferedBytes = 2_000;
    for (let i = 0; i < 5; i++) q.offer(frame(`ack${i}`));
    expect(socket.closed).toBe(CLOSE_TOO_SLOW);
    expect(q.closedReason).toMatch(/more than 4 frames/);
  });

  it('with sampling off, disconnects as soon as the soft limit is passed', () => {
    const socket = new ScriptedSocket();
    const q = new ClientQueue(socket, { ...limits, sampling: 'disconnect' });
    q.offer(frame('m1', 'metrics:a'));
    socket.bufferedBytes = 1_000;
    q.offer(frame('m2', 'metrics:a'));
    expect(socket.closed).toBe(CLOSE_TOO_SLOW);
    expect(names(socket)).toEqual(['m1']);
  });
});
