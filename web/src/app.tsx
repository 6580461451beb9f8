import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api } from './api.js';
import { Agents } from './components/Agents.js';
import { Controls } from './components/Controls.js';
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
import { apply, emptyState, sloRed } from './state.js';
import { Stream, type StreamStatus } from './stream.js';

/** Frames are folded as they come; the page re-renders at most this often. */
const RENDER_MS = 250;

export function App() {
  const fragment = useMemo(() => tokenFromFragment(), []);
  const [session, setSession] = useState<Session | undefined>(() => {
    const kept = fragment === undefined ? rememberedToken() : undefined;
    try {
      return kept === undefined ? undefined : sessionOf(kept);
    } catch {
      return undefined;
    }
  });
  const [error, setError] = useState('');
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
  if (!session) return <SignIn initial={fragment ?? ''} error={error} onSignIn={signIn} />;
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

  const slo = sloRed(state);
  useEffect(() => {
    document.body.classList.toggle('slo-red', slo.red);
  }, [slo.red]);
  const admin = session.role === 'admin';
  const agents = [...state.agents.values()].sort((a, b) => a.agentId.localeCompare(b.agentId));

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
      <Agents agents={agents} />
      <Telemetry state={state} />
      <div class="columns">
        <Slo state={state} />
        <Models api={api} admin={admin} refresh={refresh} />
        <Training api={api} live={state.jobs} refresh={refresh} />
        <section class="card" data-testid="events">
          <h3>Commands and acknowledgements</h3>
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
