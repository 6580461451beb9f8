import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LandfallError } from '../../errors.js';
import type { ApiContext } from '../app.js';
import { parseBody } from '../body.js';
import { readRoute } from './options.js';

const query = z.strictObject({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** One point per agent per this many seconds (the last metrics update in it). */
  stepSeconds: z.coerce.number().int().min(1).max(3_600).default(10),
});

interface Row {
  agent_id: string;
  module: string;
  t: string;
  pnl: number;
  landed: number | null;
  p50: number;
  p99: number;
  jito: number;
}

/** One agent's metrics over time, as the dashboard's charts take them (columns). */
export interface AgentHistory {
  agentId: string;
  module: 'arb' | 'mev';
  /** Seconds since the epoch. */
  t: number[];
  pnl: number[];
  /** Landed % over the SLO window; null where the window held no outcome. */
  landed: (number | null)[];
  p50: number[];
  p99: number[];
  /** Percent of submissions sent through Jito. */
  jito: number[];
}

/**
 * GET /api/history: the agents' stored metrics over the last `minutes`, one point per
 * `stepSeconds` (the last update in each step), so the dashboard opens on history instead of
 * an empty chart. The guard's updates are not an agent's and are left out.
 */
export function registerHistory(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/history', readRoute(), async (request) => {
    const { minutes, stepSeconds } = parseBody(query, request.query, 'query');
    const store = ctx.store;
    if (!store)
      throw new LandfallError(
        'LF_STORE_UNAVAILABLE',
        'no store in this process: history is read from the metrics in ClickHouse',
      );
    const rows = await store.query<Row>(
      `SELECT agent_id, toString(module) AS module,
         toString(toUnixTimestamp(toStartOfInterval(dt, toIntervalSecond({step:UInt32})))) AS t,
         argMax(pnl_1h, dt) AS pnl,
         if(countIf(decided_window > 0) = 0, NULL, argMaxIf(landed_pct_window, dt, decided_window > 0)) AS landed,
         argMax(hotpath_p50_ms, dt) AS p50, argMax(hotpath_p99_ms, dt) AS p99,
         100 * argMax(jito_share, dt) AS jito
       FROM ${store.database}.metrics
       WHERE dt >= now64(3) - toIntervalMinute({minutes:UInt32}) AND NOT startsWith(agent_id, 'guard-')
       GROUP BY agent_id, module, t ORDER BY agent_id, t`,
      { minutes, step: stepSeconds },
    );
    const agents = new Map<string, AgentHistory>();
    for (const r of rows) {
      const a = agents.get(r.agent_id) ?? {
        agentId: r.agent_id,
        module: r.module === 'MEV' ? 'mev' : 'arb',
        t: [],
        pnl: [],
        landed: [],
        p50: [],
        p99: [],
        jito: [],
      };
      agents.set(r.agent_id, a);
      a.t.push(Number(r.t));
      a.pnl.push(r.pnl);
      a.landed.push(r.landed);
      a.p50.push(r.p50);
      a.p99.push(r.p99);
      a.jito.push(r.jito);
    }
    return { minutes, stepSeconds, agents: [...agents.values()] };
  });
}
