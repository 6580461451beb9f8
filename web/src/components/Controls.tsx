import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { type ModuleName, modules } from '../state.js';
import type { Stream } from '../stream.js';

export interface ControlsProps {
  readonly stream: Stream;
  readonly api: Api;
  /** While the SLO is red only kill and resume stay enabled. */
  readonly sloRed: boolean;
  readonly onJobStarted: () => void;
}

/**
 * Admin actions: kill, throttle and resume go over the socket (one path with the REST API:
 * validated, audited, published on control-proto); training starts through the REST API. The
 * page shows these to admins only; the gateway and the API refuse a viewer regardless.
 */
export function Controls({ stream, api, sloRed, onJobStarted }: ControlsProps) {
  const [module, setModule] = useState<ModuleName>('arb');
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState(0.5);
  const [result, setResult] = useState('');
  const why = reason.trim() || 'operator action from the dashboard';

  const send = async (action: 'kill' | 'throttle' | 'resume') => {
    setResult(`${action} ${module}: sending…`);
    const reply = await stream.control({
      action,
      module,
      reason: why,
      ...(action === 'throttle' ? { throttle: { rateFraction: rate, thresholdRaise: 0.1 } } : {}),
    });
    setResult(
      reply.ok
        ? `${action} ${module}: command ${reply.commandId} published`
        : `${action} ${module} refused: ${reply.code}: ${reply.message}`,
    );
  };
  const train = async () => {
    setResult(`training ${module}: starting…`);
    try {
      const jobId = await api.startTraining(module, 1);
      setResult(`training ${module}: job ${jobId} queued`);
      onJobStarted();
    } catch (err) {
      setResult(`training ${module} refused: ${(err as Error).message}`);
    }
  };

  return (
    <section class="card controls" data-testid="controls">
      <h3>Controls</h3>
      <p class="explain">
        Kill stops a module's new submissions at once (in-flight ones finish); resume lifts it;
        throttle sends a share of them. Start training fits a model on the last hour of stored
        opportunities; a better one goes live without a restart. Every action is audited.
      </p>
      <div class="row">
        <label>
          module{' '}
          <select
            data-testid="control-module"
            value={module}
            onChange={(e) => setModule((e.target as HTMLSelectElement).value as ModuleName)}
          >
            {modules.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          reason{' '}
          <input
            data-testid="control-reason"
            value={reason}
            placeholder="why (recorded in the audit log)"
            onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          throttle to{' '}
          <input
            type="number"
            min="0.05"
            max="1"
            step="0.05"
            value={rate}
            onInput={(e) => setRate(Number((e.target as HTMLInputElement).value))}
          />
        </label>
      </div>
      <div class="row">
        <button
          type="button"
          class="danger"
          data-testid="btn-kill"
          onClick={() => void send('kill')}
        >
          Kill
        </button>
        <button type="button" data-testid="btn-resume" onClick={() => void send('resume')}>
          Resume
        </button>
        <button
          type="button"
          data-testid="btn-throttle"
          disabled={sloRed}
          onClick={() => void send('throttle')}
        >
          Throttle
        </button>
        <button
          type="button"
          data-testid="btn-train"
          disabled={sloRed}
          onClick={() => void train()}
        >
          Start training
        </button>
        {sloRed ? <span class="muted">SLO red: only kill and resume are allowed</span> : null}
      </div>
      <p class="result" data-testid="control-result">
        {result}
      </p>
    </section>
  );
}
