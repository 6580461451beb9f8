import type { PolicyParams } from '../gen/landfall/v1/control_pb.js';
import type { Route, SubmissionOutcome } from '../market/types.js';
import { PolicyRng } from './rng.js';
import { tipFor } from './tip-policy.js';
import type {
  ArmStat,
  RouteChoice,
  RouteContext,
  RouteFeedback,
  RoutePolicy,
  TipChoice,
  TipContext,
  TipPolicy,
} from './types.js';

/**
 * What `set_policy` may change in a running agent (control.proto PolicyParams): the tip
 * ladder, the tip exploration rate and the route priors. The engine keeps the policy objects
 * it was built with; these wrappers are those objects, and swap what is inside them.
 */

/** The exploration rate shared by every size class of one agent's tip policy. */
export interface Exploration {
  value: number;
}

/**
 * With probability `exploration.value`, a uniformly random arm of the ladder instead of the
 * inner policy's choice (which still learns from it: the arm numbers are the same). At 0 it
 * draws nothing, so an agent that never explores decides exactly as the inner policy.
 */
export class ExploringTip implements TipPolicy {
  readonly name: string;
  private readonly rng: PolicyRng;

  constructor(
    private readonly inner: TipPolicy,
    private readonly ladder: readonly number[],
    private readonly exploration: Exploration,
    seed: number,
  ) {
    this.name = inner.name;
    this.rng = new PolicyRng(seed);
  }

  choose(context: TipContext): TipChoice {
    const e = this.exploration.value;
    if (e > 0 && this.rng.float() < e) {
      const arm = Math.min(
        this.ladder.length - 1,
        Math.floor(this.rng.float() * this.ladder.length),
      );
      return { arm, tipLamports: tipFor(this.ladder[arm] as number, context) };
    }
    return this.inner.choose(context);
  }

  update(arm: number, landed: boolean, payoff: number, payoffLamports = 0): void {
    this.inner.update(arm, landed, payoff, payoffLamports);
  }

  arms(): readonly ArmStat[] {
    return this.inner.arms();
  }
}

/** Arms of generation g are numbered g × STRIDE + arm: far above any ladder × size classes. */
const STRIDE = 1 << 20;

/**
 * The agent's tip policy, rebuilt on a new ladder. An outcome of an arm pulled under an older
 * ladder arrives after the swap; it is dropped, as its arm number means another share now.
 */
export class TunableTip implements TipPolicy {
  private inner: TipPolicy;
  private generation = 0;
  private current: readonly number[];
  readonly exploration: Exploration = { value: 0 };

  constructor(
    private readonly make: (ladder: readonly number[], exploration: Exploration) => TipPolicy,
    ladder: readonly number[],
  ) {
    this.current = ladder;
    this.inner = make(ladder, this.exploration);
  }

  get name(): string {
    return this.inner.name;
  }

  get ladder(): readonly number[] {
    return this.current;
  }

  /** Replaces the ladder; the arms learn from scratch. */
  setLadder(ladder: readonly number[]): void {
    this.current = [...ladder];
    this.inner = this.make(this.current, this.exploration);
    this.generation++;
  }

  choose(context: TipContext): TipChoice {
    const c = this.inner.choose(context);
    return { arm: this.generation * STRIDE + c.arm, tipLamports: c.tipLamports };
  }

  update(arm: number, landed: boolean, payoff: number, payoffLamports = 0): void {
    if (Math.floor(arm / STRIDE) !== this.generation) return;
    this.inner.update(arm % STRIDE, landed, payoff, payoffLamports);
  }

  arms(): readonly ArmStat[] {
    return this.inner.arms();
  }
}

export interface RoutePriors {
  jito: number;
  direct: number;
  strength: number;
}

/** The agent's route policy, rebuilt with new priors (learning restarts from them). */
export class TunableRoute implements RoutePolicy {
  private inner: RoutePolicy;
  private current: RoutePriors | undefined;

  constructor(private readonly make: (priors: RoutePriors | undefined) => RoutePolicy) {
    this.inner = make(undefined);
  }

  get name(): string {
    return this.inner.name;
  }

  get priors(): RoutePriors | undefined {
    return this.current;
  }

  setPriors(priors: RoutePriors): void {
    this.current = { ...priors };
    this.inner = this.make(this.current);
  }

  choose(context: RouteContext): RouteChoice {
    return this.inner.choose(context);
  }

  update(route: Route, context: RouteFeedback, outcome: SubmissionOutcome): void {
    this.inner.update(route, context, outcome);
  }
}

/** A route policy's Beta priors from set_policy's landing rates and their strength. */
export function betaPriors(
  p: RoutePriors,
): Partial<Record<Route, { alpha: number; beta: number }>> {
  return {
    jito: { alpha: p.jito * p.strength, beta: (1 - p.jito) * p.strength },
    direct: { alpha: p.direct * p.strength, beta: (1 - p.direct) * p.strength },
  };
}

const MAX_ARMS = 32;

/** A policy whose tip ladder and exploration set_policy may change. */
export interface LadderTarget {
  readonly ladder: readonly number[];
  setLadder(ladder: readonly number[]): void;
  readonly exploration: Exploration;
}

/** A policy whose route priors set_policy may change. */
export interface PriorTarget {
  readonly priors: RoutePriors | undefined;
  setPriors(priors: RoutePriors): void;
}

/** What set_policy can see and change of one agent's policies. */
export interface PolicyTarget {
  readonly tipName: string;
  readonly routeName: string;
  readonly ladder?: LadderTarget;
  readonly priors?: PriorTarget;
}

/** The target of a tip and a route policy pair (`TunableTip` / `TunableRoute` are tunable). */
export function splitTarget(tips: TipPolicy, routes: RoutePolicy): PolicyTarget {
  return {
    tipName: tips.name,
    routeName: routes.name,
    ...(tips instanceof TunableTip ? { ladder: tips } : {}),
    ...(routes instanceof TunableRoute ? { priors: routes } : {}),
  };
}

/**
 * Applies a set_policy command to an agent's policies, all or nothing: every field is checked
 * first, and the first at fault is named (`policy.tip_ladder`, …) with nothing changed.
 * Returns whether it applied and the ack's message, which says what was applied.
 */
export function applyPolicy(target: PolicyTarget, p: PolicyParams | undefined): [boolean, string] {
  const refuse = (field: string, why: string): [boolean, string] => [
    false,
    `refused: policy.${field} ${why}; nothing changed`,
  ];
  if (p === undefined) return refuse('', 'is missing');
  if (p.tipPolicy !== '' && p.tipPolicy !== target.tipName) {
    return refuse(
      'tip_policy',
      `"${p.tipPolicy}": the running tip policy is ${target.tipName}, and switching policies live is not supported (set agent.policy and restart)`,
    );
  }
  if (p.routePolicy !== '' && p.routePolicy !== target.routeName) {
    return refuse(
      'route_policy',
      `"${p.routePolicy}": the running route policy is ${target.routeName}, and switching policies live is not supported (set agent.policy and restart)`,
    );
  }
  const ladder = p.tipLadder;
  const wantsTips = ladder.length > 0 || p.exploration !== undefined;
  const tips = target.ladder;
  if (wantsTips && tips === undefined) {
    return refuse(
      ladder.length > 0 ? 'tip_ladder' : 'exploration',
      `cannot be set on tip policy ${target.tipName}`,
    );
  }
  if (ladder.length > 0) {
    const ok =
      ladder.length <= MAX_ARMS &&
      ladder.every(
        (s, i) =>
          Number.isFinite(s) && s > 0 && s < 1 && (i === 0 || s > (ladder[i - 1] as number)),
      );
    if (!ok) {
      return refuse(
        'tip_ladder',
        `must be 1..${MAX_ARMS} strictly increasing shares in (0, 1), got [${ladder.join(', ')}]`,
      );
    }
  }
  const e = p.exploration;
  if (e !== undefined && !(Number.isFinite(e) && e >= 0 && e <= 1)) {
    return refuse('exploration', `must be in [0, 1], got ${e}`);
  }
  const pr = p.routePriors;
  const routes = target.priors;
  if (pr !== undefined) {
    if (routes === undefined) {
      return refuse(
        'route_priors',
        `cannot be set on route policy ${target.routeName} (it has no priors)`,
      );
    }
    for (const [field, v] of [
      ['jito', pr.jito],
      ['direct', pr.direct],
    ] as const) {
      if (!(Number.isFinite(v) && v > 0 && v < 1)) {
        return refuse(`route_priors.${field}`, `must be a landing rate in (0, 1), got ${v}`);
      }
    }
    if (!(Number.isFinite(pr.strength) && pr.strength > 0 && pr.strength <= 1e6)) {
      return refuse('route_priors.strength', `must be in (0, 1e6], got ${pr.strength}`);
    }
  }
  if (!wantsTips && pr === undefined) {
    return refuse('', 'changes nothing: set tip_ladder, exploration and/or route_priors');
  }
  const applied: string[] = [];
  if (tips !== undefined) {
    if (ladder.length > 0) {
      tips.setLadder(ladder);
      applied.push(`tip_ladder [${ladder.join(', ')}] (its arms learn afresh)`);
    }
    if (e !== undefined) {
      tips.exploration.value = e;
      applied.push(`exploration ${e}`);
    }
  }
  if (pr !== undefined && routes !== undefined) {
    routes.setPriors({ jito: pr.jito, direct: pr.direct, strength: pr.strength });
    applied.push(`route_priors jito ${pr.jito}, direct ${pr.direct}, strength ${pr.strength}`);
  }
  return [true, `applied ${applied.join('; ')}`];
}
