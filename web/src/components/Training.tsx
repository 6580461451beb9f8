import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import type { Job } from '../state.js';

/** Training jobs: history from GET /api/training, live progress from train acks on the socket. */
export function Training({
  api,
  live,
  refresh,
}: {
  api: Api;
  live: ReadonlyMap<string, Job>;
  refresh: number;
}) {
  const [known, setKnown] = useState<Job[]>([]);
  const [note, setNote] = useState('');
  useEffect(() => {
    api.jobs().then(setKnown, (err: Error) => setNote(`history unavailable: ${err.message}`));
  }, [api, refresh]);
  const jobs = new Map(known.map((j) => [j.jobId, j]));
  for (const j of live.values()) jobs.set(j.jobId, j);
  return (
    <section class="card" data-testid="training">
      <h3>Training jobs</h3>
      {jobs.size === 0 ? <p class="muted">none yet</p> : null}
      <ul>
        {[...jobs.values()].map((j) => (
          <li key={j.jobId} data-testid={`job-${j.jobId}`}>
            <code>{j.jobId.slice(0, 8)}</code> {j.module} <strong>{j.state}</strong>{' '}
            <progress max={1} value={j.progress} /> {(100 * j.progress).toFixed(0)}%
            {j.modelVersion ? ` → model ${j.modelVersion}` : ''} {j.message}
          </li>
        ))}
      </ul>
      {note ? <p class="muted">{note}</p> : null}
    </section>
  );
}
