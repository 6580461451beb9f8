import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsServer } from '../../test/servers.js';
import { controlSignerFrom, generateControlKey } from '../auth/control-signature.js';
import { createBus } from '../bus/create.js';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import {
  type ControlAck,
  ControlAction,
  ControlCommandSchema,
  type PolicyParamsSchema,
} from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { createLogger } from '../log.js';
import { createSimMarket } from '../sim/index.js';
import { until } from '../testing/until.js';
import { JointPolicy } from './joint-policy.js';
import { type AgentRun, runAgents } from './run.js';

/**
 * set_policy to a running paper agent over the bus, signed as the API signs it: the tip ladder,
 * exploration and route priors change in the agent, its ack says what it applied, and an
 * invalid field is refused by name with nothing changed.
 */
let nats: NatsServer | undefined;
beforeAll(async () => {
  nats = await NatsServer.start();
});
afterAll(async () => {
  await nats?.dispose();
});

const buses = [
  { name: 'in-process', bus: () => ({ kind: 'memory' }) },
  { name: 'NATS JetStream', bus: () => ({ kind: 'nats', nats: { servers: [nats?.url] } }) },
];

for (const target of buses) {
  describe(`set_policy over the ${target.name} bus`, () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-set-policy-'));
    let bus: Bus;
    let typed: TypedBus;
    let run: AgentRun;
    const acks: ControlAck[] = [];
    const metrics: TopicMessage<'metrics-proto'>[] = [];
    let config: ReturnType<typeof configSchema.parse>;
    let n = 0;

    beforeAll(async () => {
      config = configSchema.parse({
        home,
        sim: { speed: 200 },
        bus: { ...target.bus(), control: { signingKey: generateControlKey().signingKey } },
      });
      bus = await createBus(config.bus);
      typed = new TypedBus(bus);
      await typed.subscribe('control-acks-proto', async (a) => void acks.push(a), {
        group: 'test-acks',
      });
      run = await runAgents(createSimMarket({ config: config.sim, pace: 'wall' }), {
        config,
        publisher: {
          async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
            if (topic === 'metrics-proto') metrics.push(message as TopicMessage<'metrics-proto'>);
          },
        },
        modules: ['arb'],
        log: createLogger('silent'),
        controlBus: typed,
      });
    });
    afterAll(async () => {
      await run?.stop();
      await bus?.close();
      rmSync(home, { recursive: true, force: true });
    });

    /** Publishes a signed set_policy and waits for the agent's ack. */
    const setPolicy = async (
      policy: MessageInitShape<typeof PolicyParamsSchema>,
    ): Promise<ControlAck> => {
      const commandId = `set-policy-${target.name.replace(/\W+/g, '-')}-${++n}`;
      const command = controlSignerFrom(config).sign(
        create(ControlCommandSchema, {
          commandId,
          action: ControlAction.SET_POLICY,
          module: Module.ARBITRAGE,
          issuer: 'ada',
          reason: 'test',
          source: 'operator',
          tsMs: BigInt(Date.now()),
          policy,
        }),
      );
      await typed.publish('control-proto', command);
      return until(() => acks.find((a) => a.commandId === commandId), `the ack of ${commandId}`);
    };

    it('changes the ladder, exploration and route priors of the running agent, and says so', async () => {
      const engine = run.agents[0]?.engine;
      // Landfall's policy decides tip and route together; set_policy tunes that one policy.
      const joint = engine?.options.joint as JointPolicy;
      expect(joint).toBeInstanceOf(JointPolicy);
      expect(joint.ladder).toEqual(config.agent.tipLadder);
      const ack = await setPolicy({
        tipLadder: [0.1, 0.2, 0.4],
        exploration: 0.25,
        routePriors: { jito: 0.7, direct: 0.4, strength: 20 },
      });
      expect(ack.applied, ack.message).toBe(true);
      expect(ack.message).toBe(
        'applied tip_ladder [0.1, 0.2, 0.4] (its arms learn afresh); exploration 0.25; route_priors jito 0.7, direct 0.4, strength 20',
      );
      expect(joint.ladder).toEqual([0.1, 0.2, 0.4]);
      expect(joint.exploration.value).toBe(0.25);
      expect(joint.priors).toEqual({ jito: 0.7, direct: 0.4, strength: 20 });
      // The agent trades on the new ladder: its Jito actions are the new shares and the
      // midpoints it prices between them, and they learn from outcomes that follow.
      expect(
        joint
          .arms()
          .filter((a) => a.label.startsWith('jito '))
          .map((a) => a.label),
      ).toEqual(['jito 0.05', 'jito 0.1', 'jito 0.15', 'jito 0.2', 'jito 0.3', 'jito 0.4']);
      await until(
        () => joint.arms().reduce((s, a) => s + a.pulls, 0) > 0,
        'an outcome learnt on the new ladder',
      );
      // The arms' mean payoff in SOL reaches the metrics stream (tip_arms.mean_payoff_sol).
      const paid = await until(
        () =>
          metrics
            .flatMap((m) => m.tipArms)
            .find(
              (a) =>
                a.pulls > 0n &&
                a.meanPayoffSol !== 0 &&
                /^(jito 0\.(05|1|15|2|3|4)|direct .*)$/.test(a.label),
            ),
        'an arm of the new ladder with a mean payoff in SOL in the metrics',
      );
      expect(Number.isFinite(paid.meanPayoffSol)).toBe(true);
    });

    it('refuses an invalid ladder or exploration by field, changing nothing', async () => {
      const engine = run.agents[0]?.engine;
      const tips = engine?.options.joint as JointPolicy;
      const before = [...tips.ladder];
      const ladder = await setPolicy({ tipLadder: [0.3, 0.2], exploration: 0.5 });
      expect(ladder.applied).toBe(false);
      expect(ladder.message).toBe(
        'refused: policy.tip_ladder must be 1..32 strictly increasing shares in (0, 1), got [0.3, 0.2]; nothing changed',
      );
      const explore = await setPolicy({ exploration: 1.5 });
      expect(explore.applied).toBe(false);
      expect(explore.message).toMatch(
        /^refused: policy\.exploration must be in \[0, 1\], got 1\.5/,
      );
      const kind = await setPolicy({ tipPolicy: 'ucb_ewma' });
      expect(kind.message).toMatch(
        /^refused: policy\.tip_policy "ucb_ewma": the running tip policy is joint_thompson/,
      );
      expect(tips.ladder).toEqual(before);
      expect(tips.exploration.value).toBe(0.25);
    });
  });
}
