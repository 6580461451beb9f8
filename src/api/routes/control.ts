import type { FastifyInstance } from 'fastify';
import { ControlAction } from '../../gen/landfall/v1/control_pb.js';
import { fromProtoModule } from '../../proto/module.js';
import type { ApiContext } from '../app.js';
import { issueControl } from '../control.js';
import { markAudited, principalOf } from '../request-context.js';
import { readRoute, writeRoute } from './options.js';

/** Whether an answered write is already stored: README, Control-plane API, "Durability". */
export function isDurable(ctx: ApiContext): boolean {
  return ctx.durableStore !== undefined || ctx.bus.bus.kind !== 'memory';
}

export function registerControl(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/api/control', writeRoute(ctx, 'control'), async (request, reply) => {
    markAudited(request);
    const command = await issueControl(ctx, principalOf(request), request.body, request.id);
    // durable: the command and its audit row are stored (or on a persistent bus) already.
    return reply.code(202).send({ commandId: command.commandId, durable: isDurable(ctx) });
  });

  // What the agents answered, from this process's view of control-acks-proto (recent commands).
  app.get<{ Params: { commandId: string } }>(
    '/api/control/:commandId/acks',
    readRoute(),
    async (request) => {
      const acks = ctx.views.controlAcks.get(request.params.commandId) ?? [];
      return {
        commandId: request.params.commandId,
        acks: acks.map((a) => ({
          agentId: a.agentId,
          action: (ControlAction[a.action] ?? String(a.action)).toLowerCase(),
          module: fromProtoModule(a.module) ?? 'arb',
          applied: a.applied,
          message: a.message,
          tsMs: Number(a.tsMs),
        })),
      };
    },
  );
}
