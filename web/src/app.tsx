import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api } from './api.js';
import { Agents } from './components/Agents.js';
import { Backtest } from './components/Backtest.js';
import { Controls } from './components/Controls.js';
import { Market } from './components/Market.js';
import { Models } from './components/Models.js';
import { SignIn } from './components/SignIn.js';
import { Slo } from './components/Slo.js';
import { Telemetry } from './components/Telemetry.js';
import { Training } from './components/Training.js';
import {
  remember,
  rememberedToken,
  type Session,
  sessionOf,
  tokenFromFragment,
} from './session.js';
import { apply, applyHistory, emptyState, sloRed } from './state.js';
import { Stream, type StreamStatus } from './stream.js';

/** Frames are folded as they come; the page re-renders at most this often. */
const RENDER_MS = 250;
/** How often the model and training panels read the registry again, at least. */
const REGISTRY_MS = 10_000;

export function App() {
  // A link with #token= (what `landfall up` prints) signs in by itself; otherwise this tab's
  // remembered token does.
  const initial = useMemo((): { fragment?: string; session?: Session; error: string } => {
    const fragment = tokenFromFragment();
    const token = fragment ?? rememberedToken();
    if (token === undefined) return { error: '' };
    try {
      const session = sessionOf(token);
      remember(session.token);
      return { session, error: '' };
    } catch (err) {
      return fragment === undefined
        ? { error: '' }
        : { fragment, error: `the link's token: ${(err as Error).message}` };
    }
  }, []);
  const [session, setSession] = useState<Session | undefined>(initial.session);
  const [error, setError] = useState(initial.error);
  const signIn = (token: string) => {
    try {
      const s = sessionOf(token);
      remember(s.token);
      setError('');
      setSession(s);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const signOut = (why: string) => {
    remember(undefined);
    setSession(undefined);
    setError(why);
  };
  if (!session) return <SignIn initial={initial.fragment ?? ''} error={error} onSignIn={signIn} />;
  return <Dashboard key={session.token} session={session} onSignOut={signOut} />;
}

function Dashboard({ session, onSignOut }: { session: Session; onSignOut: (why: string) => void }) {
  const state = useRef(emptyState()).current;
  // Bumped when frames arrived since the last render: re-renders the page (and its charts).
  const [, setVersion] = useState(0);
  const [status, setStatus] = useState<{ s: StreamStatus; detail: string }>({
    s: 'connecting',
    detail: '',
  });
  const [refresh, setRefresh] = useState(0);
  const api = useMemo(() => new Api(session.token), [session.token]);
  const [stream, setStream] = useState<Stream | undefined>();

  useEffect(() => {
    let dirty = false;
    const s = new Stream(session.token, {
      envelope(e) {
        apply(state, e);
        dirty = true;
      },
      status(st, detail) {
        setStatus({ s: st, detail });
        if (st === 'refused') onSignOut(`signed out: ${detail}`);
      },
    });
    setStream(s);
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      setVersion((v) => v + 1);
    }, RENDER_MS);
    return () => {
      clearInterval(timer);
      s.close();
    };
  }, [session.token]);

  // The stored hour first (a warm start fills it), then the live points after it.
  const [history, setHistory] = useState('loading the last hour…');
  useEffect(() => {
    api.history(60).then(
      (agents) => {
        applyHistory(state, agents);
        const points = agents.reduce((n, a) => n + a.t.length, 0);
        setHistory(
          points === 0 ? 'no stored history yet' : `${points} stored points of the last hour`,
        );
        setVersion((v) => v + 1);
      },
      (err: Error) => setHistory(`history unavailable: ${err.message}`),
    );
  }, [api]);

  const slo = sloRed(state);
  useEffect(() => {
    document.body.classList.toggle('slo-red', slo.red);
  }, [slo.red]);
  const admin = session.role === 'admin';
  const agents = [...state.agents.values()].sort((a, b) => a.agentId.localeCompare(b.agentId));
  // The panels that list models read them again when a job finished, when an agent changed
  // models, and every REGISTRY_MS: the registry also changes from outside the page
  // (`landfall model promote`, scheduled jobs), and a job's last ack may precede its promotion.
  const finished = [...state.jobs.values()].filter((j) => j.state === 'succeeded').length;
  const liveModels = agents.map((a) => `${a.agentId}=${a.modelVersion}`).join(',');
  const [modelChanges, setModelChanges] = useState(0);
  useEffect(() => setModelChanges((c) => c + 1), [liveModels]);
  useEffect(() => {
    const timer = setInterval(() => setModelChanges((c) => c + 1), REGISTRY_MS);
    return () => clearInterval(timer);
  }, []);
  const reread = refresh + finished + modelChanges;

  return (
    <div class="page" data-testid="dashboard" data-slo={slo.red ? 'red' : 'ok'}>
      <header>
        <h1>Landfall</h1>
        <span class={`status status-${status.s}`} data-testid="stream-status">
          {status.s}
          {status.detail ? ` (${status.detail})` : ''}
        </span>
        <span class="muted" data-testid="whoami">
          {session.subject} · {session.role} · {state.frames} frames
        </span>
        <span class="muted" data-testid="history-status">
          {history}
        </span>
        <button type="button" onClick={() => onSignOut('')}>
          Sign out
        </button>
      </header>
      {slo.red ? (
        <div class="slo-banner" data-testid="slo-banner" role="alert">
          SLO VIOLATION — {slo.reasons.join('; ')}
        </div>
      ) : null}
      {admin && stream ? (
        <Controls
          stream={stream}
          api={api}
          sloRed={slo.red}
          onJobStarted={() => setRefresh((r) => r + 1)}
        />
      ) : null}
      <Market api={api} />
      <Agents agents={agents} />
      <Telemetry state={state} />
      <Backtest api={api} />
      <div class="columns">
        <Slo state={state} />
        <Models api={api} admin={admin} refresh={reread} />
        <Training api={api} live={state.jobs} refresh={reread} />
        <section class="card" data-testid="events">
          <h3>Commands and acknowledgements</h3>
          <p class="explain">
            Kill, throttle and resume commands (yours and the guard's) and each agent's
            acknowledgement: an agent obeys only commands signed by a key it trusts.
          </p>
          <ul>
            {state.events.map((e, i) => (
              <li key={`${i}-${e}`}>{e}</li>
            ))}
          </ul>
          <p class="muted">
            outcomes seen: {state.outcomes} ({state.landedOutcomes} landed)
          </p>
        </section>
      </div>
    </div>
  );
}
