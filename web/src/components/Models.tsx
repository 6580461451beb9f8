import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Api, ModelVersion, ShadowComparison, ShadowModelFigures } from '../api.js';
import { type ModuleName, modules } from '../state.js';

const sol = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(4)} SOL`);

/** The rule's decision on a trained version and the figures that made it; none for others. */
export function decisionOf(v: ModelVersion): { promoted: boolean; text: string } | undefined {
  const m = v.metrics;
  if (m.promoted_by_rule === undefined) return undefined;
  const parts = [
    `val. profit ${sol(m.expected_profit_sol)} at threshold ${v.threshold.toFixed(3)}`,
  ];
  parts.push(
    m.live_expected_profit_sol === undefined
      ? 'no live model to beat'
      : `live then ${sol(m.live_expected_profit_sol)}`,
  );
  if (m.promotion_required_gain_sol !== undefined)
    parts.push(`needed more than +${sol(m.promotion_required_gain_sol)}`);
  if (m.validation_rows !== undefined) parts.push(`${m.validation_rows} validation rows`);
  return { promoted: m.promoted_by_rule === 1, text: parts.join(' · ') };
}

/** What decided a trained version: its validation profit against the live model's then. */
function figures(v: ModelVersion): string {
  const d = decisionOf(v);
  const parts = [d?.text ?? `threshold ${v.threshold.toFixed(3)}`];
  if (d !== undefined) parts.push(d.promoted ? 'promoted by rule' : 'kept back by rule');
  if (v.metrics.validation_auc !== undefined)
    parts.push(`AUC ${v.metrics.validation_auc.toFixed(3)}`);
  return parts.join(' · ');
}

const POLL_MS = 5_000;

const num = (x: number | null, digits: number) => (x === null ? '–' : x.toFixed(digits));

function ShadowRow({ label, f, testId }: { label: string; f: ShadowModelFigures; testId: string }) {
  return (
    <tr data-testid={testId}>
      <td>
        {label} <code>{f.versions.join(', ')}</code>
      </td>
      <td>{num(f.threshold, 3)}</td>
      <td>{num(f.auc, 3)}</td>
      <td>{num(f.logLoss, 4)}</td>
      <td>{f.profitSol === null ? '–' : sol(f.profitSol)}</td>
      <td>{f.trades ?? '–'}</td>
    </tr>
  );
}

/** The live model beside each candidate in shadow, on the same live traffic (last hour). */
function Shadow({ module, comparisons }: { module: ModuleName; comparisons: ShadowComparison[] }) {
  if (comparisons.length === 0) return null;
  return (
    <table data-testid={`shadow-${module}`}>
      <thead>
        <tr>
          <th>last hour</th>
          <th>threshold</th>
          <th>AUC</th>
          <th>log-loss</th>
          <th>would-be profit</th>
          <th>trades</th>
        </tr>
      </thead>
      <tbody>
        {comparisons.map((c) => (
          <Fragment key={c.shadowVersion}>
            <ShadowRow
              label="live"
              f={c.live}
              testId={`shadow-${module}-${c.shadowVersion}-live`}
            />
            <ShadowRow
              label="shadow"
              f={c.shadow}
              testId={`shadow-${module}-${c.shadowVersion}-shadow`}
            />
            <tr class="muted" data-testid={`shadow-${module}-${c.shadowVersion}-counts`}>
              <td colSpan={6}>
                {c.scored} scored in shadow; {c.rows} submitted with an outcome, {c.positives} paid
              </td>
            </tr>
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Model versions per module (GET /api/models): the live one, candidates the champion/challenger
 * rule kept back, and retired ones, each with the figures that decided it; admins promote a
 * candidate or roll back to a retired version (both audited by the API). Beside them, the
 * shadow figures: a candidate run in shadow (config model.shadow) against the live model.
 *
 * Test ids (a README tour uses them): `models`; per version `model-<module>-<version>`
 * (data-state live | candidate | retired), `model-figures-<module>-<version>`,
 * `promote-<module>-<version>`, `rollback-<module>-<version>`; `shadow-<module>` (the table),
 * `shadow-<module>-<candidate>-live`, `-shadow` and `-counts` (its rows); `models-note`.
 */
export function Models({ api, admin, refresh }: { api: Api; admin: boolean; refresh: number }) {
  const [models, setModels] = useState<Record<ModuleName, ModelVersion[]> | undefined>();
  const [note, setNote] = useState('');
  const [shadow, setShadow] = useState<Partial<Record<ModuleName, ShadowComparison[]>>>({});
  const [tick, setTick] = useState(0);
  // A candidate a scheduled job publishes, and shadow figures as live traffic comes, show up
  // without a reload.
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    api.models().then(setModels, (err: Error) => setNote(`models unavailable: ${err.message}`));
    // Figures need the store; without one (or none in shadow) the panel simply shows none.
    for (const m of modules) {
      api.shadow(m).then(
        (c) => setShadow((s) => ({ ...s, [m]: c })),
        () => setShadow((s) => ({ ...s, [m]: [] })),
      );
    }
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
                    <div class="muted" data-testid={`model-figures-${m}-${v.version}`}>
                      {figures(v)}
                    </div>
                    {admin && v.state === 'candidate' ? (
                      <button
                        type="button"
                        data-testid={`promote-${m}-${v.version}`}
                        onClick={() => void act('promote', m, v.version)}
                      >
                        promote
                      </button>
                    ) : null}
                    {admin && v.state === 'retired' ? (
                      <button
                        type="button"
                        data-testid={`rollback-${m}-${v.version}`}
                        onClick={() => void act('rollback', m, v.version)}
                      >
                        roll back to
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            <Shadow module={m} comparisons={shadow[m] ?? []} />
          </div>
        );
      })}
      {note ? (
        <p class="result" data-testid="models-note">
          {note}
        </p>
      ) : null}
    </section>
  );
}
