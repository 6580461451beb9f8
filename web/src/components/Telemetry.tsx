import { armLabel, armTick } from '../arms.js';
import type { LiveState, Series } from '../state.js';
import { Chart, joinOnTime, type Line } from './Chart.js';

const COLORS = ['#4cc9f0', '#f7b801', '#90be6d', '#f94144', '#b5179e', '#43aa8b'];

/** The live charts: PnL, landed %, hot path p50/p99, route split, tip-ladder arms. */
export function Telemetry({ state }: { state: LiveState }) {
  const agents = [...state.series.keys()].sort();
  const col = (pick: (s: Series) => number[]) =>
    agents.map((a) => {
      const s = state.series.get(a) as Series;
      return { t: s.t, y: pick(s) };
    });
  const lines = (suffix = '', dash?: number[]): Line[] =>
    agents.map((a, i) => ({
      label: `${a}${suffix}`,
      color: COLORS[i % COLORS.length] as string,
      ...(dash ? { dash } : {}),
    }));
  return (
    <div class="charts">
      <Chart
        testId="chart-pnl"
        title="PnL, last hour"
        unit="SOL"
        explain="Net profit of each agent over the trailing hour, after tips and fees: what landed bundles and transactions earned, minus what failed ones cost."
        lines={lines()}
        data={joinOnTime(col((s) => s.pnl))}
      />
      <Chart
        testId="chart-landed"
        title="Landed, SLO window"
        unit="%"
        explain="Share of decided submissions that landed over the guard's window (30 s). Gaps: no outcome in the window. Rivals bid for the same opportunities, so most bundles lose their auction."
        lines={lines()}
        data={joinOnTime(col((s) => s.landed))}
      />
      <Chart
        testId="chart-hotpath"
        title="Hot path p50 / p99"
        unit="ms"
        explain="Time from a market event to a built submission (sizing, features, model score, tip and route), median and 99th percentile."
        lines={[...lines(' p50', [4, 4]), ...lines(' p99')]}
        data={joinOnTime([...col((s) => s.p50), ...col((s) => s.p99)])}
      />
      <Chart
        testId="chart-route"
        title="Route split: Jito share"
        unit="% jito"
        explain="Share of submissions sent as Jito bundles rather than direct to the leader: the route policy learns which lands more profit."
        lines={lines()}
        data={joinOnTime(col((s) => s.jito))}
      />
      <TipArms state={state} />
    </div>
  );
}

/** Tip-ladder arms of each agent's bandit: pulls (bars) and mean payoff share (line). */
function TipArms({ state }: { state: LiveState }) {
  return (
    <>
      {[...state.agents.values()]
        .filter((a) => a.tipArms.length > 0)
        .map((a) => {
          const labels = a.tipArms.map((arm) => arm.label);
          return (
            <Chart
              key={a.agentId}
              testId={`chart-arms-${a.agentId}`}
              title={`Tip ladder arms — ${a.agentId}`}
              unit="pulls"
              explain="Each arm is a tip (a share of the expected profit) for one size of opportunity. Bars: how often the agent chose it; line: the share of the profit it paid back. The agent chooses good arms more as it learns."
              xKind="category"
              categories={labels.map(armTick)}
              categoryNames={labels.map(armLabel)}
              lines={[
                { label: 'pulls', color: '#4cc9f0', bars: true },
                { label: 'mean payoff share', color: '#f7b801', scale: 'r' },
              ]}
              data={[
                labels.map((_, i) => i),
                a.tipArms.map((arm) => Number(arm.pulls)),
                a.tipArms.map((arm) => arm.meanPayoffShare),
              ]}
            />
          );
        })}
    </>
  );
}
