import type { AgentView } from '../state.js';

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** One row per agent, from its latest MetricsUpdate. */
export function Agents({ agents }: { agents: readonly AgentView[] }) {
  return (
    <section class="card" data-testid="agents">
      <h3>Agents</h3>
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
              <th>landed %</th>
              <th>p50 / p99 ms</th>
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
                <td>{a.modelVersion || 'heuristic'}</td>
                <td data-testid={`opportunities-${a.agentId}`}>{a.opportunities}</td>
                <td data-testid={`submissions-${a.agentId}`}>{a.submissions}</td>
                <td>{fmt(a.landedPct, 1)}</td>
                <td>
                  {fmt(a.hotP50, 3)} / {fmt(a.hotP99, 3)}
                </td>
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
