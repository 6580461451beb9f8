import { afterEach, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { until } from '../testing/until.js';
import type { Market, MarketEvent, PoolSnapshot, Submission, SwapLeg } from './types.js';

/**
 * The one contract every market adapter passes (the rules in `Market`'s doc comment). Each
 * adapter's test file calls `marketContract` with a factory and the features it has; a test
 * the adapter cannot support skips itself and says why.
 */
export interface MarketFeatures {
  /** Sends slot events, each before any other event of its slot. */
  readonly slots: boolean;
}

/** A fresh, unstarted market and what the suite needs to trade on it. */
export interface MarketHarness {
  readonly market: Market;
  /** A well-formed submission this market accepts, on the pools it has sent. */
  submission(id: string, pools: readonly PoolSnapshot[]): Submission;
  /** Makes the market produce events where it does not by itself (a local cluster's slots). */
  drive?(): void;
  /** Releases what the harness holds beyond the market (servers). */
  close?(): Promise<void>;
}

export interface MarketContractTarget {
  readonly name: string;
  readonly features: MarketFeatures;
  create(): Promise<MarketHarness>;
}

interface Seen {
  readonly event: MarketEvent;
  /** The adapter's clock when the handler got the event. */
  readonly receivedMs: number;
}

/**
 * Malformed the same way on every market: each must be refused with the same code, and the
 * message must name the field at fault (`submission "<id>": <field> <problem>`).
 */
export function malformedVariants(valid: Submission): Array<[string, Submission, string]> {
  const [first, ...rest] = valid.legs;
  const leg0 = first as SwapLeg;
  return [
    ['no legs', { ...valid, legs: [] }, 'legs'],
    [
      'a tip on the direct route',
      { ...valid, route: 'direct', tipLamports: 1_000n },
      'tipLamports',
    ],
    ['a jito bundle without a tip', { ...valid, route: 'jito', tipLamports: 0n }, 'tipLamports'],
    [
      'an unknown pool',
      { ...valid, legs: [{ ...leg0, pool: 'no-such-pool' }, ...rest] },
      'legs[0].pool',
    ],
    [
      "a first leg spending 'previous'",
      { ...valid, legs: [{ ...leg0, amountIn: 'previous' }] },
      'legs[0].amountIn',
    ],
    [
      'a negative priority fee',
      { ...valid, priorityFeeMicroLamports: -1n },
      'priorityFeeMicroLamports',
    ],
  ];
}

export function marketContract(target: MarketContractTarget): void {
  describe(`market contract: ${target.name}`, () => {
    let harness: MarketHarness | undefined;
    let driver: ReturnType<typeof setInterval> | undefined;
    afterEach(async () => {
      clearInterval(driver);
      await harness?.market.stop();
      await harness?.close?.();
      harness = undefined;
    });

    /** Starts a fresh market, recording every event with the clock at receipt. */
    async function started(): Promise<{ h: MarketHarness; seen: Seen[]; startMs: number }> {
      const h = await target.create();
      harness = h;
      const seen: Seen[] = [];
      const startMs = h.market.clock.now();
      await h.market.source.start((event) => {
        seen.push({ event, receivedMs: h.market.clock.now() });
      });
      if (h.drive !== undefined) driver = setInterval(h.drive, 20);
      return { h, seen, startMs };
    }

    const poolsOf = (seen: readonly Seen[]) =>
      seen.flatMap((s) => (s.event.kind === 'pool' ? [s.event.pool] : []));

    it('sends every pool first, then events in time order on its own clock', async () => {
      const { seen, startMs } = await started();
      await until(() => seen.some((s) => s.event.kind !== 'pool'), 'an event after the pools');
      const firstOther = seen.findIndex((s) => s.event.kind !== 'pool');
      const initialIds = poolsOf(seen.slice(0, firstOther)).map((p) => p.id);
      const initial = new Set(initialIds);
      expect(initial.size).toBeGreaterThan(0);
      expect(initialIds, 'each pool once in the first batch').toHaveLength(initial.size);
      for (const p of poolsOf(seen)) expect(initial.has(p.id), p.id).toBe(true);
      let last = startMs;
      for (const { event, receivedMs } of seen) {
        expect(event.atMs, event.kind).toBeGreaterThanOrEqual(last);
        expect(event.atMs, event.kind).toBeLessThanOrEqual(receivedMs);
        last = event.atMs;
      }
    });

    it.skipIf(!target.features.slots)(
      `sends each slot before the other events of that slot${target.features.slots ? '' : ' — skipped: no slot feed in this adapter'}`,
      async () => {
        const { seen } = await started();
        await until(() => seen.filter((s) => s.event.kind === 'slot').length >= 3, 'three slots');
        let announced: number | undefined;
        for (const { event } of seen) {
          if (event.kind === 'slot') announced = event.slot;
          else if (announced !== undefined && 'slot' in event)
            expect(event.slot, event.kind).toBeLessThanOrEqual(announced);
        }
      },
    );

    it('refuses a malformed submission with LF_MARKET_SUBMISSION_INVALID, naming the field', async () => {
      const { h, seen } = await started();
      await until(() => poolsOf(seen).length > 0, 'the pools');
      const valid = h.submission('contract-valid', poolsOf(seen));
      for (const [what, bad, field] of malformedVariants(valid)) {
        const err = await h.market.executor.submit(bad).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(
          isLandfallError(err, 'LF_MARKET_SUBMISSION_INVALID'),
          `${what}: ${String(err)}`,
        ).toBe(true);
        expect((err as Error).message, what).toContain(`submission "contract-valid": ${field} `);
      }
    });

    it('answers an accepted submission with one outcome that echoes it, stamped on its clock', async () => {
      const { h, seen } = await started();
      await until(() => poolsOf(seen).length > 0, 'the pools');
      const s = h.submission('contract-accepted', poolsOf(seen));
      const before = h.market.clock.now();
      const outcome = await h.market.executor.submit(s);
      const after = h.market.clock.now();
      expect(outcome).toMatchObject({
        submissionId: s.id,
        opportunityId: s.opportunityId,
        module: s.module,
        route: s.route,
      });
      expect(outcome.atMs).toBeGreaterThanOrEqual(before);
      expect(outcome.atMs).toBeLessThanOrEqual(after);
      expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
      expect(outcome.landed).toBe(outcome.failure === null);
    });

    it('stop() drains: no handler call after it resolves, idempotent, and ended settles', async () => {
      const { h, seen } = await started();
      await until(() => seen.length > 0, 'a first event');
      await h.market.stop();
      const count = seen.length;
      await h.market.stop();
      await h.market.source.ended.catch(() => undefined);
      clearInterval(driver);
      h.drive?.();
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.length).toBe(count);
    });
  });
}
