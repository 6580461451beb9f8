import { useEffect, useState } from 'preact/hooks';
import type { Api, ModelVersion } from '../api.js';
import { type ModuleName, modules } from '../state.js';

/** Model versions per module (GET /api/models), with rollback for admins. */
export function Models({ api, admin, refresh }: { api: Api; admin: boolean; refresh: number }) {
  const [models, setModels] = useState<Record<ModuleName, ModelVersion[]> | undefined>();
  const [note, setNote] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api.models().then(setModels, (err: Error) => setNote(`models unavailable: ${err.message}`));
  }, [api, refresh, tick]);
  const rollback = async (module: ModuleName, version: string) => {
    try {
      await api.rollback(module, version, 'rollback from the dashboard');
      setNote(`${module}: ${version} is live`);
      setTick((t) => t + 1);
    } catch (err) {
      setNote(`rollback refused: ${(err as Error).message}`);
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
                  <li key={v.version}>
                    <code>{v.version}</code> #{v.sequence} {v.createdAt}
                    {v.live ? <strong> live</strong> : null}
                    {admin && !v.live ? (
                      <button type="button" onClick={() => void rollback(m, v.version)}>
                        make live
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
