import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiError, type MarketSnapshot } from '../api.js';

const POLL_MS = 2_000;

const fmt = (n: number | null, digits: number, suffix = '') =>
  n === null || !Number.isFinite(n) ? '–' : `${n.toFixed(digits)}${suffix}`;

/** The market the agents trade on (GET /api/market), polled every two seconds. */
export function Market({ api }: { api: Api }) {
  const [m, setM] = useState<MarketSnapshot | undefined>();
  const [note, setNote] = useState('');
  useEffect(() => {
    let stopped = false;
    const poll = () =>
      api.market().then(
        (snapshot) => {
          if (stopped) return;
          setM(snapshot);
          setNote('');
        },
        (err: Error) => {
          if (stopped) return;
          setNote(
            err instanceof ApiError && err.status === 404
              ? 'no market in this process (the API runs without agents)'
              : `market unavailable: ${err.message}`,
          );
        },
      );
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);
  return (
    <section class="card" data-testid="market">
      <h3>Market {m ? <span class="muted">{m.tag}</span> : null}</h3>
      <p class="explain">
        What the agents trade on: in paper mode a seeded simulator with rival searchers, whose
        competition changes with the regime. Seen: opportunities the agents found; taken: those they
        judged worth a submission. Rival share: of the opportunities captured by anyone, the share
        rivals got.
      </p>
      {m === undefined ? (
        <p class="muted">{note || 'loading…'}</p>
      ) : (
        <div class="figures">
          <Figure id="market-events" label="events/s" value={fmt(m.eventsPerSecond, 0)} />
          <Figure id="market-seen" label="opportunities seen" value={String(m.seen)} />
          <Figure id="market-taken" label="taken" value={String(m.taken)} />
          <Figure
            id="market-rivals"
            label="rival share"
            value={fmt(m.rivalShare === null ? null : 100 * m.rivalShare, 0, ' %')}
          />
          <Figure id="market-regime" label="regime" value={m.regime ?? '–'} />
          <Figure
            id="market-clock"
            label={m.warming ? 'warm start at' : 'market time'}
            value={new Date(m.atMs).toLocaleTimeString()}
          />
        </div>
      )}
    </section>
  );
}

function Figure({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div class="figure">
      <div class="value" data-testid={id}>
        {value}
      </div>
      <div class="muted">{label}</div>
    </div>
  );
}
