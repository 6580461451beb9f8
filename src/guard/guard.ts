import { AuditLedger } from '../audit/ledger.js';
import type { ControlSigner, ControlVerifier } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import { reasonOf } from '../errors.js';
import { ControlAction, type ControlCommand } from '../gen/landfall/v1/control_pb.js';
import type { MetricsUpdate, SloState } from '../gen/landfall/v1/realtime_pb.js';
import type { Logger } from '../log.js';
import type { Clock, Module } from '../market/types.js';
import { fromProtoModule } from '../proto/module.js';
import type { GuardConfig } from './config.js';
import { evaluate, type Verdict } from './evaluate.js';
import {
  GUARD_AGENT_PREFIX,
  guardCommand,
  guardMetricsOf,
  type ModuleView,
  sloStateOf,
} from './messages.js';
import { type GuardAction, ModulePolicy } from './policy.js';
import { ModuleWindows } from './window.js';

export interface GuardOptions {
  readonly bus: TypedBus;
  /** The clock the agents stamp their metrics with (the simulator's in paper mode and tests). */
  readonly clock: Clock;
  readonly config: GuardConfig;
  readonly log: Logger;
  /** Signs every command the guard sends (its key, bus.control); agents obey only signed ones. */
  readonly signer: ControlSigner;
  /**
   * The issuer keys whose commands the guard believes (an operator's kill or resume changes what
   * it does next); without it every command seen is believed.
   */
  readonly trust?: ControlVerifier;
  /** Consumer group on metrics-proto and control-proto. Default "guard". */
  readonly group?: string;
  /** Sees every evaluation (tests, diagnostics). */
  readonly onEvaluate?: (module: Module, verdict: Verdict, nowMs: number) => void;
}

interface ModuleGuard extends ModuleView {
  readonly windows: ModuleWindows;
  lastAction: ControlAction;
  lastActionTsMs: number;
  verdict: Verdict | undefined;
  /** A violation was published on metrics-proto and its clearing not yet. */
  flagged: boolean;
}

/**
 * The SLO guard. It reads every agent's 1 s MetricsUpdate, keeps rolling windows per module,
 * and every `evaluateEveryMs` of its clock judges each module (evaluate.ts) and escalates
 * (policy.ts). Each action goes out as a ControlCommand (source "guard") on control-proto,
 * with one audit record (subject "guard", role "service"); each evaluation publishes the
 * module's SloState on slo-proto, and while a module is in violation a MetricsUpdate from
 * `guard-<module>` with slo_violation and the reason (one more, cleared, when it recovers).
 * It also reads control-proto, so it knows an operator's kill, throttle or resume.
 */
export class Guard {
  private readonly modules = new Map<Module, ModuleGuard>();
  private readonly subscriptions: Subscription[] = [];
  private readonly audit: AuditLedger;
  private cancel: (() => void) | undefined;
  private outbox: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Commands the guard sent, in order (for the banner, status and tests). */
  readonly sent: ControlCommand[] = [];

  constructor(private readonly options: GuardOptions) {
    this.audit = new AuditLedger(options.bus, () => Math.round(options.clock.now()));
  }

  async start(): Promise<void> {
    const { bus } = this.options;
    const group = this.options.group ?? 'guard';
    this.subscriptions.push(
      await bus.subscribe('metrics-proto', async (m) => this.ingest(m), { group, start: 'latest' }),
      await bus.subscribe('control-proto', async (c) => this.observe(c), {
        group,
        start: 'latest',
      }),
    );
    const every = this.options.config.evaluateEveryMs;
    const tick = () => {
      if (this.stopped) return;
      this.evaluateAll();
      this.cancel = this.options.clock.schedule(every, tick);
    };
    this.cancel = this.options.clock.schedule(every, tick);
  }

  /** Stops evaluating, waits for what it was publishing, leaves the topics. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
    await this.outbox;
  }

  /** The module's current SloState (what slo-proto last carried). */
  state(module: Module): SloState | undefined {
    const g = this.modules.get(module);
    return g === undefined ? undefined : sloStateOf(module, g, this.options.clock.now());
  }

  private guardOf(module: Module): ModuleGuard {
    let g = this.modules.get(module);
    if (g === undefined) {
      const c = this.options.config;
      g = {
        windows: new ModuleWindows(c.slo.hotpathP99Ms, c.windowMs + c.staleAfterMs),
        policy: new ModulePolicy(c),
        lastAction: ControlAction.UNSPECIFIED,
        lastActionTsMs: 0,
        verdict: undefined,
        flagged: false,
      };
      this.modules.set(module, g);
    }
    return g;
  }

  private ingest(m: MetricsUpdate): void {
    if (m.agentId.startsWith(GUARD_AGENT_PREFIX)) return;
    const module = fromProtoModule(m.module);
    if (module === undefined) return;
    const g = this.guardOf(module);
    g.windows.add(m);
    // An agent that reports itself killed (started while killed, or a kill the guard missed);
    // updates stamped soon after a resume may still say killed, so they do not count.
    const ts = Number(m.tsMs);
    const settled = ts > g.lastActionTsMs + this.options.config.staleAfterMs;
    if (m.state === 'killed' && g.policy.enforcement !== 'killed' && settled)
      g.policy.external('kill', ts);
  }

  private observe(c: ControlCommand): void {
    if (c.source === 'guard') return;
    const verdict = this.options.trust?.verify(c);
    if (verdict !== undefined && !verdict.ok) {
      this.options.log.warn(
        { commandId: c.commandId, keyId: c.keyId, issuer: c.issuer },
        `control command ignored: ${verdict.reason}`,
      );
      return;
    }
    const module = fromProtoModule(c.module);
    if (module === undefined) return;
    const action: GuardAction | undefined =
      c.action === ControlAction.KILL
        ? 'kill'
        : c.action === ControlAction.THROTTLE
          ? 'throttle'
          : c.action === ControlAction.RESUME
            ? 'resume'
            : undefined;
    if (action === undefined) return;
    const g = this.guardOf(module);
    const now = this.options.clock.now();
    g.policy.external(action, now);
    g.lastAction = c.action;
    g.lastActionTsMs = now;
    // After an operator's resume only what follows counts, or the old window would re-kill.
    if (action === 'resume') g.windows.resetBefore(now);
    this.options.log.info({ module, action, issuer: c.issuer }, 'operator control command seen');
  }

  private evaluateAll(): void {
    const now = this.options.clock.now();
    const c = this.options.config;
    for (const [module, g] of this.modules) {
      g.windows.prune(now);
      const slow = g.windows.totals(now, c.windowMs, c.staleAfterMs);
      const fast = g.windows.totals(now, c.fastWindowMs, c.staleAfterMs);
      const verdict = evaluate(slow, fast, c);
      g.verdict = verdict;
      this.options.onEvaluate?.(module, verdict, now);
      const action = g.policy.step(verdict, now);
      if (action !== undefined) this.act(module, g, action, verdict, now);
      this.report(module, g, now);
    }
  }

  private act(module: Module, g: ModuleGuard, action: GuardAction, v: Verdict, now: number): void {
    const t = this.options.config.throttle;
    const reason =
      action === 'resume'
        ? `recovered: ${this.options.config.recoveryEvaluations} healthy evaluations in a row`
        : v.reason;
    const command = this.options.signer.sign(guardCommand(action, module, reason, t, now));
    const undo = g.policy.snapshot();
    g.policy.applied(action, now);
    g.lastAction = command.action;
    g.lastActionTsMs = now;
    this.sent.push(command);
    this.options.log.warn({ module, action, reason }, 'guard action');
    const params = {
      module,
      commandId: command.commandId,
      reason,
      ...(action === 'throttle' ? { throttle: t } : {}),
    };
    this.enqueue(async () => {
      try {
        await this.options.bus.publish('control-proto', command);
      } catch (err) {
        // Not sent: the next evaluation decides again.
        undo();
        await this.audit.record({
          subject: 'guard',
          role: 'service',
          action: `control.${action}`,
          params,
          result: 'error',
          detail: reasonOf(err),
        });
        throw err;
      }
      await this.audit.record({
        subject: 'guard',
        role: 'service',
        action: `control.${action}`,
        params,
        result: 'ok',
      });
    });
  }

  private report(module: Module, g: ModuleGuard, now: number): void {
    const state = sloStateOf(module, g, now);
    const violated = state.violated;
    const c = this.options.config;
    const metrics =
      violated || g.flagged
        ? guardMetricsOf(
            module,
            g,
            g.windows.totals(now, c.windowMs, c.staleAfterMs),
            state,
            now,
            c.windowMs,
          )
        : undefined;
    g.flagged = violated;
    this.enqueue(async () => {
      await this.options.bus.publish('slo-proto', state);
      if (metrics !== undefined) await this.options.bus.publish('metrics-proto', metrics);
    });
  }

  /** Publishes in order, one at a time; a failure is logged and the next still goes. */
  private enqueue(job: () => Promise<void>): void {
    this.outbox = this.outbox.then(job).catch((err: unknown) => {
      this.options.log.error({ err }, 'guard publish failed');
    });
  }
}

/** Starts a guard; `stop()` ends it. */
export async function startGuard(options: GuardOptions): Promise<Guard> {
  const guard = new Guard(options);
  await guard.start();
  return guard;
}
