import { type LiveState, modules } from '../state.js';

/** SLO state per module (the guard's verdict on slo-proto) and violations flagged in metrics. */
export function Slo({ state }: { state: LiveState }) {
  return (
    <section class="card" data-testid="slo-panel">
      <h3>SLO</h3>
      <p class="explain">
        The guard's verdict per module over its window: hot path, landed share and money-losing
        outcomes against their objectives. A violation throttles, then kills, the module's agents; a
        kill waits for an operator's resume.
      </p>
      <table>
        <thead>
          <tr>
            <th>module</th>
            <th>state</th>
            <th>reason</th>
            <th>last action</th>
            <th>burn fast / slow</th>
          </tr>
        </thead>
        <tbody>
          {modules.map((m) => {
            const s = state.slo.get(m);
            const flagged = [...state.sloFlags.values()].filter((f) => f.module === m);
            const red = (s?.violated ?? false) || flagged.length > 0;
            return (
              <tr key={m} class={red ? 'bad' : 'good'} data-testid={`slo-${m}`}>
                <td>{m}</td>
                <td>
                  {s === undefined && flagged.length === 0
                    ? 'no verdict yet'
                    : red
                      ? 'VIOLATED'
                      : 'ok'}
                </td>
                <td>
                  {[...new Set([s?.violated ? s.reason : '', ...flagged.map((f) => f.reason)])]
                    .filter(Boolean)
                    .join('; ')}
                </td>
                <td>
                  {s && s.lastActionMs > 0
                    ? `${s.lastAction} at ${new Date(s.lastActionMs).toLocaleTimeString()}`
                    : '–'}
                </td>
                <td>{s ? `${s.burnFast.toFixed(2)} / ${s.burnSlow.toFixed(2)}` : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
