import { create } from '@bufbuild/protobuf';
import { AuditLedger } from '../audit/ledger.js';
import type { ControlVerifier } from '../auth/control-signature.js';
import { RecentIds } from '../auth/recent-ids.js';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import { reasonOf } from '../errors.js';
import {
  type ControlAck,
  ControlAckSchema,
  ControlAction,
  type ControlCommand,
} from '../gen/landfall/v1/control_pb.js';
import type { Clock, Module } from '../market/types.js';
import { toProtoModule } from '../proto/module.js';
import type { AgentState, SubmissionGate } from './engine.js';
import { KillState } from './kill-state.js';
import { applyPolicy, type PolicyTarget } from './tunable-policy.js';

/** Ids remembered per agent; a command older than this many later ones could be replayed. */
const SEEN_COMMANDS = 10_000;

export interface ThrottleSettings {
  /** Share of would-be submissions still sent, in (0, 1]. */
  readonly rateFraction: number;
  /** Added to the score threshold, in [0, 1]. */
  readonly thresholdRaise: number;
}

export interface AgentControlOptions {
  readonly agentId: string;
  readonly module: Module;
  /** `config.home`: the kill state lives in `<home>/control/<module>.json`. */
  readonly home: string;
  /** What a throttle command without parameters asks for (config `guard.throttle`). */
  readonly throttleDefaults: ThrottleSettings;
  /** Stamps acknowledgements (the market's clock, like the agent's telemetry). */
  readonly clock: Clock;
  /** The issuer keys whose signed commands this agent obeys (bus.control). */
  readonly trust: ControlVerifier;
}

/**
 * One agent's obedience to control commands: the SubmissionGate its engine consults on every
 * decision. Kill: nothing is submitted from the next decision on, and the kill is written to
 * disk first, so an agent started later on this host stays killed. Throttle: a deterministic
 * share of would-be submissions goes (a credit of `rateFraction` per candidate) and the score
 * threshold rises. Resume: back to running, kill file removed. Set-policy: the tip ladder,
 * tip exploration and route priors change after every field is checked (tunable-policy.ts);
 * the ack says what was applied or names the field refused. The policy kinds stay as started.
 *
 * A kill is lifted only by an operator: a resume from the guard is refused while killed (the
 * guard lifts only its own throttles). Anyone who reaches the bus can publish, so a command is
 * obeyed only when its issuer's signature verifies against a trusted key (`receive`).
 */
export class AgentControl implements SubmissionGate {
  state: AgentState = 'running';
  thresholdRaise = 0;
  rateFraction = 1;
  private credit = 0;
  readonly kill: KillState;
  /** The engine's tip and route policies, which set_policy tunes (run.ts attaches them). */
  policies: PolicyTarget | undefined;
  /** Command ids already answered: a second delivery is acknowledged, never applied again. */
  private readonly seen = new RecentIds(SEEN_COMMANDS);

  constructor(private readonly options: AgentControlOptions) {
    this.kill = new KillState(options.home, options.module);
    if (this.kill.read() !== undefined) this.state = 'killed';
  }

  admit(): boolean {
    this.credit += this.rateFraction;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }

  /** True when the command is addressed to this agent's module. */
  concerns(command: ControlCommand): boolean {
    return command.module === toProtoModule(this.options.module);
  }

  /**
   * A command from the bus: applied when its signature verifies, otherwise refused without
   * touching the agent's state. `refused` carries the reason to audit.
   */
  receive(command: ControlCommand): { ack: ControlAck; refused?: string } {
    const verdict = this.options.trust.verify(command);
    if (!verdict.ok)
      return { ack: this.ack(command, false, verdict.reason), refused: verdict.reason };
    // A replay of a captured command (an old resume after a newer kill) must not undo what
    // followed it; a bus redelivery of one already applied needs nothing more either.
    if (command.commandId === '' || !this.seen.add(command.commandId)) {
      const reason = `refused: command id "${command.commandId}" was already received (replay or redelivery)`;
      return { ack: this.ack(command, false, reason), refused: reason };
    }
    return { ack: this.apply(command) };
  }

  /** Applies one command addressed to this module and says what became of it. */
  apply(command: ControlCommand): ControlAck {
    const [applied, message] = this.outcome(command);
    return this.ack(command, applied, message);
  }

  /** The persisted kill, or undefined when there is none or it cannot be read (a resume clears it). */
  private killRecord() {
    try {
      return this.kill.read();
    } catch {
      return undefined;
    }
  }

  private ack(command: ControlCommand, applied: boolean, message: string): ControlAck {
    return create(ControlAckSchema, {
      commandId: command.commandId,
      action: command.action,
      module: command.module,
      agentId: this.options.agentId,
      applied,
      message,
      tsMs: BigInt(Math.round(this.options.clock.now())),
    });
  }

  private outcome(c: ControlCommand): [boolean, string] {
    const by = `${c.issuer || 'unknown'} (${c.source || 'unknown source'})`;
    switch (c.action) {
      case ControlAction.KILL: {
        // Stop first: a disk that refuses the record must not keep the agent trading.
        this.state = 'killed';
        const done = `killed by ${by}: no new submissions; in-flight ones finish`;
        try {
          this.kill.write({
            commandId: c.commandId,
            issuer: c.issuer,
            source: c.source,
            reason: c.reason,
            tsMs: Number(c.tsMs),
          });
        } catch (err) {
          return [true, `${done}; NOT persisted to ${this.kill.path}: ${reasonOf(err)}`];
        }
        return [true, done];
      }
      case ControlAction.THROTTLE: {
        if (this.state === 'killed') return [false, 'killed: a throttle waits for a resume'];
        const t = c.throttle ?? this.options.throttleDefaults;
        const problem = throttleProblem(t);
        if (problem !== undefined) return [false, problem];
        this.state = 'throttled';
        this.rateFraction = t.rateFraction;
        this.thresholdRaise = t.thresholdRaise;
        this.credit = 0;
        return [
          true,
          `throttled by ${by}: ${Math.round(t.rateFraction * 100)} % of submissions, score threshold +${t.thresholdRaise}`,
        ];
      }
      case ControlAction.RESUME:
        if (this.state === 'killed' && c.source !== 'operator')
          return [false, `killed: only an operator resumes a kill (source was "${c.source}")`];
        {
          // A restarted agent has forgotten the ids it saw: a signed resume issued before an
          // operator's kill (same clock: both the API's) is a replay, not a decision on it.
          const kill = this.state === 'killed' ? this.killRecord() : undefined;
          if (kill?.source === 'operator' && Number(c.tsMs) < kill.tsMs)
            return [
              false,
              `refused: this resume was issued before the kill it would lift (${Number(c.tsMs)} < ${kill.tsMs})`,
            ];
        }
        this.kill.clear();
        this.state = 'running';
        this.rateFraction = 1;
        this.thresholdRaise = 0;
        return [true, `running, resumed by ${by}`];
      case ControlAction.SET_POLICY:
        if (this.policies === undefined)
          return [false, 'refused: this agent has no policies to tune'];
        return applyPolicy(this.policies, c.policy);
      default:
        return [false, `unknown action ${c.action}`];
    }
  }

  /**
   * Subscribes this agent to `control-proto` (its own group, so every agent sees every
   * command) and acknowledges each command for its module on `control-acks-proto`. A new
   * group starts at the newest command: what was decided before is in the kill file. A
   * refused (unverified) command is acknowledged as not applied and audited as forbidden.
   */
  listen(bus: TypedBus, onApplied?: (ack: ControlAck) => void): Promise<Subscription> {
    const audit = new AuditLedger(bus, () => Math.round(this.options.clock.now()));
    return bus.subscribe(
      'control-proto',
      async (command) => {
        if (!this.concerns(command)) return;
        const { ack, refused } = this.receive(command);
        onApplied?.(ack);
        await bus.publish('control-acks-proto', ack);
        if (refused === undefined) return;
        await audit.record({
          subject: command.issuer || 'unknown',
          role: 'unverified',
          action: `control.${actionName(command.action)}`,
          params: {
            commandId: command.commandId,
            agentId: this.options.agentId,
            keyId: command.keyId,
            source: command.source,
          },
          result: 'forbidden',
          detail: refused,
        });
      },
      { group: `control-${this.options.agentId}`, start: 'latest' },
    );
  }
}

function actionName(action: ControlAction): string {
  return (ControlAction[action] ?? 'unknown').toLowerCase();
}

function throttleProblem(t: ThrottleSettings): string | undefined {
  if (!(t.rateFraction > 0 && t.rateFraction <= 1))
    return `throttle.rate_fraction must be in (0, 1], got ${t.rateFraction}`;
  if (!(t.thresholdRaise >= 0 && t.thresholdRaise <= 1))
    return `throttle.threshold_raise must be in [0, 1], got ${t.thresholdRaise}`;
  return undefined;
}
