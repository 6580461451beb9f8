import { useEffect, useState } from 'preact/hooks';
import type { Api, ModelVersion } from '../api.js';
import { type ModuleName, modules } from '../state.js';

const sol = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(4)} SOL`);

/** What decided a trained version: its validation profit against the live model's then. */
function figures(v: ModelVersion): string {
  const m = v.metrics;
  const parts = [`threshold ${v.threshold.toFixed(3)}`];
  if (m.expected_profit_sol !== undefined) parts.push(`val. profit ${sol(m.expected_profit_sol)}`);
  if (m.live_expected_profit_sol !== undefined)
    parts.push(`live then ${sol(m.live_expected_profit_sol)}`);
  if (m.promotion_required_gain_sol !== undefined)
    parts.push(`needed +${sol(m.promotion_required_gain_sol)}`);
  if (m.promoted_by_rule !== undefined)
    parts.push(m.promoted_by_rule === 1 ? 'promoted by rule' : 'kept back by rule');
  if (m.validation_auc !== undefined) parts.push(`AUC ${m.validation_auc.toFixed(3)}`);
  return parts.join(' · ');
}

/**
 * Model versions per module (GET /api/models): the live one, candidates the champion/challenger
 * rule kept back, and retired ones, each with the figures that decided it; admins promote a
 * candidate or roll back to a retired version (both audited by the API).
 */
export function Models({ api, admin, refresh }: { api: Api; admin: boolean; refresh: number }) {
  const [models, setModels] = useState<Record<ModuleName, ModelVersion[]> | undefined>();
  const [note, setNote] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api.models().then(setModels, (err: Error) => setNote(`models unavailable: ${err.message}`));
  }, [api, refresh, tick]);
  const act = async (kind: 'promote' | 'rollback', module: ModuleName, version: string) => {
    try {
      if (kind === 'promote') await api.promote(module, version, 'promoted from the dashboard');
      else await api.rollback(module, version, 'rollback from the dashboard');
      setNote(`${module}: ${version} is live`);
      setTick((t) => t + 1);
    } catch (err) {
      setNote(`${kind} refused: ${(err as Error).message}`);
    }
  };
  return (
    <section class="card" data-testid="models">
      <h3>Models</h3>
      {modules.map((m) => {
        const versions = models?.[m] ?? [];
        return (
          <div key={m}>
            <h4>{m}</h4>
            {versions.length === 0 ? (
              <p class="muted">no published model: the heuristic scores</p>
            ) : (
              <ul>
                {versions.map((v) => (
                  <li key={v.version} data-testid={`model-${m}-${v.version}`} data-state={v.state}>
                    <code>{v.version}</code> #{v.sequence} {v.createdAt} <strong>{v.state}</strong>
                    <div class="muted">{figures(v)}</div>
                    {admin && v.state === 'candidate' ? (
                      <button type="button" onClick={() => void act('promote', m, v.version)}>
                        promote
                      </button>
                    ) : null}
                    {admin && v.state === 'retired' ? (
                      <button type="button" onClick={() => void act('rollback', m, v.version)}>
                        roll back to
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      {note ? <p class="result">{note}</p> : null}
    </section>
  );
}
