import { afterEach, describe, expect, it } from 'vitest';
import { isLandfallError } from '../../errors.js';
import { until } from '../../testing/until.js';
import { captureLogger } from '../testing/testbed.js';
import { type SubscribeUpdate, yellowstoneConnector } from './geyser-client.js';
import { emptyRequest, GeyserFeed } from './geyser-feed.js';
import { LocalGeyser } from './testing/local-geyser.js';

/** The feed alone against the loopback server: pings answered, and a stop that ends the stream. */
let geyser: LocalGeyser | undefined;
afterEach(async () => {
  await geyser?.close();
  geyser = undefined;
});

describe('geyser feed', () => {
  it('pings on an idle stream and counts the pongs; stop ends the stream and the loop', async () => {
    const g = await LocalGeyser.start();
    geyser = g;
    const updates: SubscribeUpdate[] = [];
    const { log } = captureLogger();
    const feed = new GeyserFeed({
      connector: g.connector(),
      request: (fromSlot) => {
        const r = emptyRequest();
        // A filter with no field set would vanish on the wire: name one.
        r.slots.slots = { filterByCommitment: true };
        if (fromSlot !== undefined) r.fromSlot = String(fromSlot);
        return r;
      },
      onUpdate: (u) => void updates.push(u),
      now: () => Date.now(),
      log,
      reconnectMinMs: 20,
      reconnectMaxMs: 100,
      pingMs: 30,
      maxLagMs: 1_000,
    });
    await feed.start();
    await until(() => feed.stats.pongs >= 2, 'two pongs');
    expect(g.requests.filter((r) => r.ping !== undefined).length).toBeGreaterThanOrEqual(2);
    // Pongs are the feed's own business: the consumer sees only updates.
    g.slot(5);
    await until(() => updates.length === 1, 'the slot update');
    expect(updates[0]?.slot?.slot).toBe('5');
    expect(feed.lastSlot).toBe(5);
    await feed.stop();
    await until(() => g.streams === 0, 'the stream closed on the server');
    expect(feed.stats).toMatchObject({ connects: 1, drops: 0 });
  });

  it('an endpoint that does not answer fails the start, naming the config key and not the path', async () => {
    const g = await LocalGeyser.start();
    const closed = `${g.url}/secret-token-in-path`;
    await g.close();
    const err = await yellowstoneConnector(closed)
      .subscribe()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isLandfallError(err, 'LF_SOLANA_RPC')).toBe(true);
    expect((err as Error).message).toContain('live.grpcUrl');
    expect((err as Error).message).not.toContain('secret-token-in-path');
  });
});
