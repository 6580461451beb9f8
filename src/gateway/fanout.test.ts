import { create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { BundleOutcomeSchema, MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { until } from '../testing/until.js';
import { CLOSE_TOO_SLOW } from './client-queue.js';
import { TestClient, TestGateway } from './testing/harness.js';

let gw: TestGateway | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.stop();
  gw = undefined;
});

/** An ~8 KB outcome (a long failure text), so a stalled reader's buffers fill quickly. */
function outcome(i: number) {
  return create(BundleOutcomeSchema, {
    bundleId: `b-${i}`,
    module: Module.MEV,
    tsMs: BigInt(Date.now()),
    failure: 'x'.repeat(8_000),
  });
}

function metrics(i: number) {
  return create(MetricsUpdateSchema, {
    agentId: `agent-${i % 3}`,
    module: Module.MEV,
    tsMs: BigInt(i),
    state: 'running',
  });
}

const outcomeIds = (c: TestClient) =>
  c.envelopes.flatMap((e) => (e.payload.case === 'outcome' ? [e.payload.value.bundleId] : []));

describe('fan-out to a stalled client', () => {
  it('samples, then drops the client that stops reading, while the others get every frame in step', async () => {
    gw = await TestGateway.start({
      heartbeatMs: 600_000,
      queue: { softBytes: 65_536, hardBytes: 524_288, maxHeldFrames: 50, flushMs: 20 },
    });
    const g = gw;
    const token = await g.token('viewer');
    const healthy = [0, 1, 2].map(() => new TestClient(g.wsUrl, token));
    const stalled = new TestClient(g.wsUrl, token);
    clients.push(...healthy, stalled);
    for (const c of [...healthy, stalled]) expect(await c.settled).toBe('open');
    const stalledId = Math.max(...g.gateway.hub.reports().map((r) => r.id));
    stalled.ws.pause();

    // Lock step: message i+1 is published only once every healthy client has message i. If the
    // fan-out ever waited on the stalled socket, the healthy clients would stop receiving and
    // this loop would never finish.
    const stalledReport = () =>
      [...g.gateway.hub.reports(), ...g.gateway.hub.departed].find((r) => r.id === stalledId);
    let published = 0;
    let afterDrop = 0;
    while (afterDrop < 50) {
      const i = published++;
      await g.publish('metrics-proto', metrics(i));
      await g.publish('bundle-outcomes-proto', outcome(i));
      await until(
        () => healthy.every((c) => outcomeIds(c).length === i + 1),
        `outcome ${i} at every healthy client`,
        30_000,
        1,
      );
      if (stalledReport()?.closedReason !== undefined) afterDrop++;
      expect(published).toBeLessThan(20_000);
    }

    const expected = Array.from({ length: published }, (_, i) => `b-${i}`);
    for (const c of healthy) {
      expect(outcomeIds(c)).toEqual(expected);
      expect(c.closed).toBeUndefined();
    }
    for (const r of g.gateway.hub.reports().filter((r) => r.id !== stalledId)) {
      expect(r.stats).toMatchObject({ dropped: 0, replaced: 0, sampledEpisodes: 0 });
      expect(r.stats.sent).toBe(2 * published);
      expect(r.stats.peakBufferedBytes).toBeLessThan(g.config.gateway.queue.softBytes);
    }
    const s = stalledReport();
    expect(s?.stats.sampledEpisodes).toBeGreaterThanOrEqual(1);
    expect(s?.stats.dropped).toBeGreaterThan(0);
    expect(s?.stats.replaced).toBeGreaterThan(0);
    expect(s?.closedReason).toMatch(/bytes behind/);

    // Once it reads again it drains what the socket held, in order, then the 4008 close.
    stalled.ws.resume();
    await until(() => stalled.closed !== undefined, 'the stalled client to see its close', 30_000);
    expect(stalled.closed?.code).toBe(CLOSE_TOO_SLOW);
    const got = outcomeIds(stalled).map((id) => Number(id.slice(2)));
    expect(got.length).toBeLessThan(published);
    expect(got).toEqual([...got].sort((a, b) => a - b));
  });
});
