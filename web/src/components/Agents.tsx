import type { AgentView } from '../state.js';

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** One row per agent, from its latest MetricsUpdate. */
export function Agents({ agents }: { agents: readonly AgentView[] }) {
  return (
    <section class="card" data-testid="agents">
      <h3>Agents</h3>
      <p class="explain">
        One agent per module: arb trades price gaps between pools, mev backruns large swaps (never
        ahead of them). Each finds opportunities, scores them with the live model (a heuristic until
        one is trained), picks a tip and a route, and learns from what landed.
      </p>
      {agents.length === 0 ? (
        <p class="muted">waiting for the first metrics…</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>agent</th>
              <th>state</th>
              <th>model</th>
              <th>opportunities</th>
              <th>submissions</th>
              <th title="landed share of outcomes over the SLO window (count), then since start">
                landed % window (n) / lifetime
              </th>
              <th title="share of outcomes over the SLO window that lost money">
                neg. EV % window
              </th>
              <th>p50 / p99 ms</th>
              <th title="network send p99, as the executor timed it">send p99 ms</th>
              <th>PnL 1 h (SOL)</th>
              <th>jito</th>
              <th>updated</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.agentId} data-testid={`agent-${a.agentId}`} class={`state-${a.state}`}>
                <td>{a.agentId}</td>
                <td data-testid={`state-${a.agentId}`}>{a.state}</td>
                <td data-testid={`agent-model-${a.agentId}`}>{a.modelVersion || 'heuristic'}</td>
                <td data-testid={`opportunities-${a.agentId}`}>{a.opportunities}</td>
                <td data-testid={`submissions-${a.agentId}`}>{a.submissions}</td>
                <td data-testid={`landed-${a.agentId}`}>
                  {a.decidedWindow === 0 && a.windowMs > 0 ? '–' : fmt(a.landedPct, 1)} (
                  {a.decidedWindow}) / {fmt(a.landedPctLifetime, 1)}
                </td>
                <td>{a.decidedWindow === 0 && a.windowMs > 0 ? '–' : fmt(100 * a.negEvRate, 1)}</td>
                <td>
                  {fmt(a.hotP50, 3)} / {fmt(a.hotP99, 3)}
                </td>
                <td>{fmt(a.sendP99, 1)}</td>
                <td data-testid={`pnl-${a.agentId}`}>{fmt(a.pnl1h, 6)}</td>
                <td>{fmt(100 * a.jitoShare, 0)}%</td>
                <td data-testid={`updated-${a.agentId}`}>
                  {new Date(a.tsMs).toLocaleTimeString()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
