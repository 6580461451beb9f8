import { atLeast, atMost } from './binomial.js';
import type { GuardConfig, SloName } from './config.js';
import type { WindowTotals } from './window.js';

/** One SLO over both windows. */
export interface SloReading {
  readonly slo: SloName;
  /** Events in the slow window. */
  readonly samples: number;
  /**
   * The slow window says something: `minSamples` events or more, or fewer that are
   * conclusively on one side of the trip line (factor × budget) at `confidence`.
   */
  readonly judged: boolean;
  /**
   * How likely a module exactly at the trip line would show this many bad events or more
   * (`pAbove`), or this many or fewer (`pBelow`), in the slow window's `samples` events.
   * NaN at or above `minSamples`, where the observed share decides (and an O(n) sum would
   * buy nothing).
   */
  readonly pAbove: number;
  readonly pBelow: number;
  /** Share of bad events in the slow window. */
  readonly badShare: number;
  readonly burnSlow: number;
  readonly burnFast: number;
  /** Both windows at or over their factors: act. */
  readonly tripped: boolean;
  /** The slow window at or over its factor: not yet healthy. */
  readonly overSlow: boolean;
  readonly severe: boolean;
  /** One line for SloState.reason and MetricsUpdate.slo_reason. */
  readonly text: string;
}

export interface Verdict {
  readonly readings: readonly SloReading[];
  readonly tripped: boolean;
  readonly severe: boolean;
  /** No SLO's slow window at or over its factor (one step of the recovery hysteresis). */
  readonly healthy: boolean;
  /** The tripped SLOs, or else the worst one, as text. */
  readonly reason: string;
  /** Burn rates of the SLO nearest to (or furthest past) its slow factor. */
  readonly burnFast: number;
  readonly burnSlow: number;
}

interface Counts {
  readonly n: number;
  readonly bad: number;
}

function countsOf(slo: SloName, t: WindowTotals): Counts {
  switch (slo) {
    case 'hotpath':
      return { n: t.hotPaths, bad: t.hotSlow };
    case 'landed':
      return { n: t.decided, bad: t.decided - t.landed };
    case 'negEv':
      return { n: t.decided, bad: t.negative };
  }
}

/** The share of bad events each SLO allows (its error budget). */
export function budgetOf(slo: SloName, config: GuardConfig): number {
  switch (slo) {
    case 'hotpath':
      return 0.01; // p99 under the bound: at most 1 % of hot paths over it
    case 'landed':
      return (100 - config.slo.landedMinPct) / 100;
    case 'negEv':
      return config.slo.negEvMaxRate;
  }
}

const SLOS: readonly SloName[] = ['hotpath', 'landed', 'negEv'];

/** Judges every SLO of one module from its slow (SLO) and fast windows. */
export function evaluate(slow: WindowTotals, fast: WindowTotals, config: GuardConfig): Verdict {
  const readings = SLOS.map((slo) => read(slo, slow, fast, config));
  const tripped = readings.filter((r) => r.tripped);
  const worst = readings.reduce((a, b) =>
    b.burnSlow / config.burn[b.slo].slow > a.burnSlow / config.burn[a.slo].slow ? b : a,
  );
  const lead = tripped[0] ?? worst;
  return {
    readings,
    tripped: tripped.length > 0,
    severe: tripped.some((r) => r.severe),
    healthy: !readings.some((r) => r.overSlow),
    reason:
      tripped.length > 0
        ? tripped.map((r) => r.text).join('; ')
        : worst.judged
          ? `ok: ${worst.text}`
          : `ok: inconclusive: ${worst.text}: under ${config.minSamples} events and not past the line at ${pctOf(config.confidence)} confidence`,
    burnFast: lead.burnFast,
    burnSlow: lead.burnSlow,
  };
}

function read(
  slo: SloName,
  slow: WindowTotals,
  fast: WindowTotals,
  config: GuardConfig,
): SloReading {
  const budget = budgetOf(slo, config);
  const factors = config.burn[slo];
  const s = countsOf(slo, slow);
  const f = countsOf(slo, fast);
  const badShare = s.n === 0 ? 0 : s.bad / s.n;
  const burnSlow = badShare / budget;
  const enough = s.n >= config.minSamples;
  // Below minSamples, the share must be past the trip line with `confidence` (exact test).
  const line = Math.min(1, factors.slow * budget);
  const alpha = 1 - config.confidence;
  const pAbove = enough ? Number.NaN : s.n === 0 ? 1 : atLeast(s.bad, s.n, line);
  const pBelow = enough ? Number.NaN : s.n === 0 ? 1 : atMost(s.bad, s.n, line);
  const past = pAbove <= alpha;
  const conclusive = past || pBelow <= alpha;
  // An empty fast window says nothing is burning now, at volume; at low volume it is only a
  // gap between events, so the slow window's evidence stands.
  const burnFast = f.n === 0 ? (enough ? 0 : burnSlow) : f.bad / f.n / budget;
  const judged = enough || conclusive;
  // A budget of everything (landed > 0 %, losses < 100 %: paper's defaults) is shown, never
  // judged: it neither trips nor holds back recovery from another SLO's throttle.
  const open = budget >= 1;
  const overSlow = !open && burnSlow >= factors.slow && (enough || past);
  const tripped = overSlow && burnFast >= factors.fast;
  return {
    slo,
    samples: s.n,
    judged,
    pAbove,
    pBelow,
    badShare,
    // An open SLO never leads the verdict's figures.
    burnSlow: open ? 0 : burnSlow,
    burnFast: open ? 0 : burnFast,
    tripped,
    overSlow,
    severe: tripped && burnSlow >= config.escalation.severeMultiple * factors.slow,
    text: `${describe(slo, s, slow, config)} over ${config.windowMs / 1000} s (burn ${burnSlow.toFixed(1)}× slow, ${burnFast.toFixed(1)}× fast)`,
  };
}

const pctOf = (x: number) => `${+(100 * x).toFixed(1)} %`;

function describe(slo: SloName, c: Counts, t: WindowTotals, config: GuardConfig): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const share = c.n === 0 ? 0 : c.bad / c.n;
  switch (slo) {
    case 'hotpath':
      return `hot path: ${pct(share)} of ${c.n} over ${config.slo.hotpathP99Ms} ms (p99 bound; worst 1 s p99 ${t.worstHotP99Ms.toFixed(1)} ms)`;
    case 'landed':
      return `landed ${pct(1 - share)} of ${c.n} (SLO > ${config.slo.landedMinPct} %)`;
    case 'negEv':
      return `negative EV ${pct(share)} of ${c.n} (SLO < ${pct(config.slo.negEvMaxRate)})`;
  }
}
