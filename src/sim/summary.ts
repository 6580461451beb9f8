import type { FailureReason } from '../market/types.js';
import type { ReferenceRunResult } from './reference-run.js';
import { landedRate, type OpportunityTally, rivalShare, type Tally } from './stats.js';

/** A backtest's summary as plain JSON (lamports as numbers: they fit well within 2^53). */
export interface SimSummary {
  seed: number;
  simulatedMinutes: number;
  wallSeconds: number;
  /** Simulated seconds per wall second. */
  speedup: number;
  events: number;
  marketEvents: number;
  policy: { name: 'baseline'; route: string; tipShare: number; minProfitLamports: number };
  opportunities: {
    market: { arb: number; backrun: number };
    seenByAgent: { arb: number; backrun: number };
    capturedByAgent: number;
    capturedByRivals: number;
    faded: number;
    rivalShare: number | null;
  };
  agent: TallySummary;
  rivals: TallySummary;
  regimes: Record<
    string,
    { minutes: number; opportunities: number; rivalShare: number | null; agent: TallySummary }
  >;
}

export interface TallySummary {
  submissions: number;
  submittedByRoute: { jito: number; direct: number };
  landed: number;
  landedRate: number | null;
  landedByRoute: { jito: number; direct: number };
  failures: Partial<Record<FailureReason, number>>;
  profitLamports: number;
  tipLamports: number;
  feeLamports: number;
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

function tally(t: Tally): TallySummary {
  const failures = Object.fromEntries(Object.entries(t.failures).filter(([, n]) => n > 0));
  return {
    submissions: t.submissions,
    submittedByRoute: { ...t.submittedByRoute },
    landed: t.landed,
    landedRate: orNull(landedRate(t)),
    landedByRoute: { ...t.landedByRoute },
    failures,
    profitLamports: Number(t.profitLamports),
    tipLamports: Number(t.tipLamports),
    feeLamports: Number(t.feeLamports),
  };
}

export function summarize(result: ReferenceRunResult): SimSummary {
  const { stats, report, policy } = result;
  const { arb, backrun } = stats.opportunities;
  const both: OpportunityTally = {
    opened: arb.opened + backrun.opened,
    capturedByAgent: arb.capturedByAgent + backrun.capturedByAgent,
    capturedByRivals: arb.capturedByRivals + backrun.capturedByRivals,
    faded: arb.faded + backrun.faded,
  };
  return {
    seed: result.seed,
    simulatedMinutes: stats.simulatedMs / 60_000,
    wallSeconds: result.wallMs / 1000,
    speedup: stats.simulatedMs / Math.max(result.wallMs, 1e-3),
    events: stats.events,
    marketEvents: stats.marketEvents,
    policy: {
      name: 'baseline',
      route: policy.route,
      tipShare: policy.tipShare,
      minProfitLamports: Number(policy.minProfitLamports),
    },
    opportunities: {
      market: { arb: arb.opened, backrun: backrun.opened },
      seenByAgent: { ...report.seen },
      capturedByAgent: both.capturedByAgent,
      capturedByRivals: both.capturedByRivals,
      faded: both.faded,
      rivalShare: orNull(rivalShare(both)),
    },
    agent: tally(stats.agent),
    rivals: tally(stats.rivals),
    regimes: Object.fromEntries(
      Object.entries(stats.regimes)
        .filter(([, r]) => r.ms > 0)
        .map(([name, r]) => [
          name,
          {
            minutes: r.ms / 60_000,
            opportunities: r.opportunities.opened,
            rivalShare: orNull(rivalShare(r.opportunities)),
            agent: tally(r.agent),
          },
        ]),
    ),
  };
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)} %`);
const sol = (lamports: number) => `${lamports >= 0 ? '+' : ''}${(lamports / 1e9).toFixed(6)}`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatSummary(s: SimSummary): string {
  const a = s.agent;
  const o = s.opportunities;
  const failures =
    Object.entries(a.failures)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none';
  const lines = [
    `landfall sim: seed ${s.seed}, ${s.simulatedMinutes.toFixed(1)} simulated minutes in ${s.wallSeconds.toFixed(2)} s (${int(s.speedup)}x real time), ${int(s.events)} events`,
    `policy: reference searcher (the fixed baseline), route ${s.policy.route}, tip share ${s.policy.tipShare}; \`landfall backtest\` compares the agents' policies`,
    '',
    `opportunities: market ${o.market.arb} arb + ${o.market.backrun} backrun; seen by the agent ${o.seenByAgent.arb} arb + ${o.seenByAgent.backrun} backrun`,
    `captured: agent ${o.capturedByAgent}, rivals ${o.capturedByRivals} (rival share ${pct(o.rivalShare)}); faded ${o.faded}`,
    `submissions ${a.submissions}: jito ${a.submittedByRoute.jito}, direct ${a.submittedByRoute.direct}`,
    `landed ${a.landed} (${pct(a.landedRate)}): jito ${a.landedByRoute.jito}, direct ${a.landedByRoute.direct}`,
    `not landed: ${failures}`,
    `pnl ${sol(a.profitLamports)} SOL after tips ${sol(a.tipLamports).slice(1)} SOL and fees ${sol(a.feeLamports).slice(1)} SOL`,
    '',
    row(['regime', 'minutes', 'opps', 'rival share', 'submitted', 'landed', 'landed %', 'pnl SOL']),
  ];
  for (const [name, r] of Object.entries(s.regimes)) {
    lines.push(
      row([
        name,
        r.minutes.toFixed(1),
        String(r.opportunities),
        pct(r.rivalShare),
        String(r.agent.submissions),
        String(r.agent.landed),
        pct(r.agent.landedRate),
        sol(r.agent.profitLamports),
      ]),
    );
  }
  return lines.join('\n');
}

const WIDTHS = [12, 8, 6, 12, 10, 8, 9, 12];

function row(cells: string[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i] ?? 8) : c.padStart(WIDTHS[i] ?? 8)))
    .join(' ');
}
