import { useEffect, useState } from 'preact/hooks';
import type { Api, ModelVersion } from '../api.js';
import { type ScheduleView, schedules } from '../models-api.js';
import type { Job } from '../state.js';
import { decisionOf } from './Models.js';

/** A scheduled job's id says which schedule and window: in full. Others: their uuid's start. */
const shortId = (id: string) =>
  id.startsWith('sched-') ? id : id.replace(/^train-/, '').slice(0, 8);

/** Versions are looked up again this often: a later promotion changes what is live. */
const POLL_MS = 5_000;

/**
 * The champion/challenger decision on a finished job's model, from the figures its manifest
 * keeps (src/model/promotion.ts): promoted or kept as a candidate, and the numbers that decided.
 */
function Decision({ jobId, version }: { jobId: string; version: ModelVersion | undefined }) {
  const d = version === undefined ? undefined : decisionOf(version);
  if (version === undefined || d === undefined) return null;
  return (
    <div
      class="muted"
      data-testid={`job-decision-${jobId}`}
      data-decision={d.promoted ? 'promoted' : 'kept'}
    >
      <strong>{d.promoted ? 'promoted by rule' : 'kept as a candidate by rule'}</strong>: {d.text}
      {' · now '}
      {version.state}
    </div>
  );
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(ms % 3_600_000 === 0 ? 0 : 2)} h`;

/** Scheduled retraining (train.schedule): each rule and the window its next job will train on. */
function Schedules({ list }: { list: ScheduleView[] }) {
  if (list.length === 0) return null;
  return (
    <ul data-testid="schedules">
      {list.map((s) => (
        <li key={s.id} data-testid={`schedule-${s.id}`}>
          schedule <code>{s.id}</code> {s.module}{' '}
          {s.cron === undefined ? `every ${hours(s.everyMs ?? 0)}` : `cron "${s.cron}" (UTC)`} over
          the last {hours(s.windowMs)}; next <code>{s.next.jobId}</code> on {s.next.start} →{' '}
          {s.next.end}
        </li>
      ))}
    </ul>
  );
}

/**
 * Training jobs: history from GET /api/training, live progress from train acks on the socket.
 * A succeeded job shows the decision on its model, read from GET /api/models once it is known.
 *
 * Test ids (a README tour uses them): `training`; `schedules` and `schedule-<id>` per
 * `train.schedule` entry; per job `job-<id>`, `job-state-<id>`,
 * `job-progress-<id>` (a <progress>, value 0..1), `job-message-<id>`, `job-decision-<id>`
 * (data-decision `promoted` or `kept`).
 */
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
  const [versions, setVersions] = useState<ReadonlyMap<string, ModelVersion>>(new Map());
  const [plan, setPlan] = useState<ScheduleView[]>([]);
  useEffect(() => {
    api.jobs().then(setKnown, (err: Error) => setNote(`history unavailable: ${err.message}`));
  }, [api, refresh]);
  const jobs = new Map(known.map((j) => [j.jobId, j]));
  for (const j of live.values()) jobs.set(j.jobId, j);
  // The models of finished jobs: looked up again whenever another job finishes.
  const finished = [...jobs.values()]
    .filter((j) => j.state === 'succeeded' && j.modelVersion !== '')
    .map((j) => j.modelVersion)
    .sort()
    .join(',');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    // The next windows move on as time does.
    schedules().then(setPlan, () => setPlan([]));
  }, [refresh, tick]);
  useEffect(() => {
    if (finished === '') return;
    api.models().then(
      (byModule) =>
        setVersions(
          new Map(Object.values(byModule).flatMap((vs) => vs.map((v) => [v.version, v]))),
        ),
      (err: Error) => setNote(`models unavailable: ${err.message}`),
    );
  }, [api, finished, tick]);
  return (
    <section class="card" data-testid="training">
      <h3>Training jobs</h3>
      <Schedules list={plan} />
      {jobs.size === 0 ? <p class="muted">none yet</p> : null}
      <ul>
        {[...jobs.values()].map((j) => (
          <li key={j.jobId} data-testid={`job-${j.jobId}`}>
            <code title={j.jobId}>{shortId(j.jobId)}</code> {j.module}{' '}
            <strong data-testid={`job-state-${j.jobId}`}>{j.state}</strong>{' '}
            <progress data-testid={`job-progress-${j.jobId}`} max={1} value={j.progress} />{' '}
            {(100 * j.progress).toFixed(0)}%{j.modelVersion ? ` → model ${j.modelVersion}` : ''}
            <div class="muted" data-testid={`job-message-${j.jobId}`}>
              {j.message}
            </div>
            {j.state === 'succeeded' ? (
              <Decision jobId={j.jobId} version={versions.get(j.modelVersion)} />
            ) : null}
          </li>
        ))}
      </ul>
      {note ? <p class="muted">{note}</p> : null}
    </section>
  );
}
