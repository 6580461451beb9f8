import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { z } from 'zod';
import { type AuditLedger, storeRow } from '../audit/ledger.js';
import type { ControlSigner } from '../auth/control-signature.js';
import type { Principal } from '../auth/verify.js';
import type { TypedBus } from '../bus/typed.js';
import {
  ControlAction,
  type ControlCommand,
  ControlCommandSchema,
} from '../gen/landfall/v1/control_pb.js';
import { toProtoModule } from '../proto/module.js';
import type { Store } from '../store/types.js';
import { auditedCommand } from './audited.js';
import { parseBody } from './body.js';
import { assertSloAllows, type SloView } from './slo-gate.js';

const policyName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a policy name (lower case, digits, _)');

/** An operator's control request, as the REST API and the WebSocket gateway receive it. */
export const controlBodySchema = z
  .strictObject({
    action: z.enum(['kill', 'throttle', 'resume', 'set_policy']),
    module: z.enum(['arb', 'mev']),
    reason: z.string().trim().min(1, 'a reason is required').max(1000),
    throttle: z
      .strictObject({
        rateFraction: z.number().gt(0).lte(1),
        thresholdRaise: z.number().min(0).max(1).default(0),
      })
      .optional(),
    policy: z
      .strictObject({
        tipPolicy: policyName.optional(),
        routePolicy: policyName.optional(),
        /** Tip shares, strictly increasing, each in (0, 1); the agent relearns its arms. */
        tipLadder: z
          .array(z.number().gt(0).lt(1))
          .min(1)
          .max(32)
          .refine((l) => l.every((s, i) => i === 0 || s > (l[i - 1] as number)), {
            message: 'expected strictly increasing shares',
          })
          .optional(),
        /** Probability of a random tip arm, [0, 1]. */
        exploration: z.number().min(0).max(1).optional(),
        /** Prior landing rates per route and the pseudo-observations they are worth. */
        routePriors: z
          .strictObject({
            jito: z.number().gt(0).lt(1),
            direct: z.number().gt(0).lt(1),
            strength: z.number().gt(0).max(1e6),
          })
          .optional(),
      })
      .optional(),
  })
  .superRefine((body, ctx) => {
    if (body.action === 'throttle' && body.throttle === undefined)
      ctx.addIssue({ code: 'custom', path: ['throttle'], message: 'required for action throttle' });
    if (body.action !== 'throttle' && body.throttle !== undefined)
      ctx.addIssue({ code: 'custom', path: ['throttle'], message: 'only for action throttle' });
    const p = body.policy;
    if (
      body.action === 'set_policy' &&
      !p?.tipPolicy &&
      !p?.routePolicy &&
      p?.tipLadder === undefined &&
      p?.exploration === undefined &&
      p?.routePriors === undefined
    )
      ctx.addIssue({
        code: 'custom',
        path: ['policy'],
        message:
          'action set_policy needs at least one of policy.tipLadder, exploration, routePriors, tipPolicy, routePolicy',
      });
    if (body.action !== 'set_policy' && body.policy !== undefined)
      ctx.addIssue({ code: 'custom', path: ['policy'], message: 'only for action set_policy' });
  });

export type ControlBody = z.output<typeof controlBodySchema>;

export interface ControlDeps {
  bus: TypedBus;
  ledger: AuditLedger;
  /** The API's issuer key (bus.control): agents obey only commands it signed. */
  signer: ControlSigner;
  now?: () => number;
  /**
   * Embedded mode (in-process bus): the store each command row is written to before it is
   * published and answered, so an answered command survives a crash (README, Control-plane API).
   */
  durableStore?: Store;
  /** The API's view of slo-proto: risky actions are refused while the module's SLO is violated. */
  sloView?: SloView;
}

const actions = {
  kill: ControlAction.KILL,
  throttle: ControlAction.THROTTLE,
  resume: ControlAction.RESUME,
  set_policy: ControlAction.SET_POLICY,
} as const;

/**
 * The one path from an operator's control request to a command on `control-proto`. The caller
 * must be admin (checked before the body, so a viewer learns nothing about valid commands) and
 * the body valid; either refusal is audited ('forbidden' / 'rejected') and nothing is
 * published. A published command is audited 'ok' as `control.<action>`.
 */
export async function issueControl(
  deps: ControlDeps,
  caller: Principal,
  body: unknown,
  requestId: string,
  source: 'operator' | 'guard' = 'operator',
): Promise<ControlCommand> {
  return auditedCommand(
    { ledger: deps.ledger, caller, action: actionName(body), params: body, requestId },
    async () => {
      const parsed = parseBody(controlBodySchema, body);
      assertSloAllows(deps.sloView, toProtoModule(parsed.module), {
        kind: 'control',
        action: parsed.action,
        ...(parsed.throttle ? { rateFraction: parsed.throttle.rateFraction } : {}),
      });
      const command = deps.signer.sign(
        commandFrom(parsed, caller, source, (deps.now ?? Date.now)()),
      );
      if (deps.durableStore) await storeRow(deps.durableStore, 'control-proto', command);
      await deps.bus.publish('control-proto', command);
      return { value: command, detail: `command ${command.commandId}` };
    },
  );
}

function commandFrom(
  parsed: ControlBody,
  caller: Principal,
  source: 'operator' | 'guard',
  nowMs: number,
): ControlCommand {
  return create(ControlCommandSchema, {
    commandId: randomUUID(),
    action: actions[parsed.action],
    module: toProtoModule(parsed.module),
    issuer: caller.subject,
    reason: parsed.reason,
    tsMs: BigInt(nowMs),
    source,
    ...(parsed.throttle ? { throttle: parsed.throttle } : {}),
    ...(parsed.policy
      ? {
          policy: {
            tipPolicy: parsed.policy.tipPolicy ?? '',
            routePolicy: parsed.policy.routePolicy ?? '',
            tipLadder: parsed.policy.tipLadder ?? [],
            ...(parsed.policy.exploration === undefined
              ? {}
              : { exploration: parsed.policy.exploration }),
            ...(parsed.policy.routePriors === undefined
              ? {}
              : { routePriors: parsed.policy.routePriors }),
          },
        }
      : {}),
  });
}

/** `control.<action>` when the body names a known action, else `control`. */
export function actionName(body: unknown): string {
  const action = (body as { action?: unknown } | null)?.action;
  return typeof action === 'string' && Object.hasOwn(actions, action)
    ? `control.${action}`
    : 'control';
}
