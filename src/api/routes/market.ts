import type { FastifyInstance } from 'fastify';
import { LandfallError } from '../../errors.js';
import { readRoute } from './options.js';

/** What the market panel shows; fields a market cannot say are null. */
export interface MarketSnapshot {
  /** `paper-<seed>`, `live-<wallet>`. */
  readonly tag: string;
  /** Market time now, ms since the epoch (the simulator's clock in paper mode). */
  readonly atMs: number;
  /** Market events per second of market time, over the last few seconds. */
  readonly eventsPerSecond: number | null;
  /** The competition regime in force (the simulator's; null live). */
  readonly regime: string | null;
  /** Opportunities the agents saw, and those they submitted on, since they started. */
  readonly seen: number;
  readonly taken: number;
  /** Rivals' share of the opportunities searchers captured (null live, or none captured). */
  readonly rivalShare: number | null;
  /** Whether the warm start is still fast-forwarding (paper mode). */
  readonly warming: boolean;
}

/**
 * GET /api/market: the market the agents of this process trade on (`landfall up`), for the
 * dashboard's market panel; 404 in a process that runs no agents.
 */
export function registerMarket(
  app: FastifyInstance,
  snapshot: (() => MarketSnapshot) | undefined,
): void {
  app.get('/api/market', readRoute(), async () => {
    if (snapshot === undefined)
      throw new LandfallError(
        'LF_API_NOT_FOUND',
        'no market in this process: the market panel reads the agents of landfall up',
      );
    return snapshot();
  });
}
