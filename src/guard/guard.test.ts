import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ephemeralControlKeys } from '../auth/control-signature.js';
import { MemoryBus } from '../bus/memory.js';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { TypedBus } from '../bus/typed.js';
import type { PublishOptions } from '../bus/types.js';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { createLogger } from '../log.js';
import type { Clock } from '../market/types.js';
import { guardConfigSchema } from './config.js';
import { startGuard } from './guard.js';
import { operatorCommand } from './testing/loop.js';
import { QuietBus } from './testing/quiet-bus.js';

/** A clock the test moves by hand; due callbacks run in time order. */
class ManualClock implements Clock {
  private t = 0;
  private due: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  schedule(delayMs: number, fn: () => void) {
    const entry = { at: this.t + delayMs, fn };
    this.due.push(entry);
    return () => {
      this.due = this.due.filter((e) => e !== entry);
    };
  }
  /** Runs everything due up to now + ms, one second at a time, letting the bus drain between. */
  async advance(ms: number, quiet: QuietBus, each?: (t: number) => Promise<void>) {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + 1_000);
      await each?.(this.t);
      await quiet.settled();
      for (const e of this.due.filter((d) => d.at <= this.t)) {
        this.due = this.due.filter((d) => d !== e);
        e.fn();
      }
      await quiet.settled();
    }
  }
}

/** A memory bus whose next `failures` publishes to control-proto fail. */
class FlakyBus extends MemoryBus {
  failures = 0;
  override async publish(topic: string, value: Uint8Array, options: PublishOptions) {
    if (topic === 'control-proto' && this.failures > 0) {
      this.failures--;
      throw new Error('broker unavailable');
    }
    return super.publish(topic, value, options);
  }
}

const operator = ephemeralControlKeys('operator');

async function setup() {
  const flaky = new FlakyBus();
  const quiet = new QuietBus(flaky);
  const bus = new TypedBus(quiet);
  const clock = new ManualClock();
  const seen = {
    slo: [] as TopicMessage<'slo-proto'>[],
    audit: [] as TopicMessage<'audit-proto'>[],
    control: [] as TopicMessage<'control-proto'>[],
  };
  const collect = <T extends TopicName>(topic: T, into: TopicMessage<T>[]) =>
    bus.subscribe(topic, async (m) => void into.push(m), { group: `t-${topic}` });
  await collect('slo-proto', seen.slo);
  await collect('audit-proto', seen.audit);
  await collect('control-proto', seen.control);
  const config = guardConfigSchema.parse({});
  const guard = await startGuard({
    bus,
    clock,
    config,
    log: createLogger('silent'),
    signer: ephemeralControlKeys('guard').signer,
    trust: operator.verifier,
  });
  let n = 0;
  let landed = 0;
  /** One agent's update at `t`: 4 decided a second, `lost` of them not landed. */
  const metrics = (t: number, lost: number, state = 'running') => {
    n += 1;
    landed += 4 - lost;
    return bus.publish(
      'metrics-proto',
      create(MetricsUpdateSchema, {
        agentId: 'arb-1',
        module: Module.ARBITRAGE,
        tsMs: BigInt(t),
        decided: BigInt(n * 4),
        landed: BigInt(landed),
        submissions: BigInt(n * 4),
        hotpathSlowMs: 20,
        state,
      }),
    );
  };
  return { flaky, quiet, bus, clock, guard, seen, metrics };
}

describe('guard service', () => {
  it('learns a kill from the agents themselves, e.g. one started while killed', async () => {
    const s = await setup();
    await s.clock.advance(10_000, s.quiet, (t) => s.metrics(t, 0, 'killed'));
    const last = s.seen.slo.at(-1);
    expect(last?.violated).toBe(true);
    expect(last?.reason).toMatch(/killed; an operator must resume/);
    expect(s.seen.control).toEqual([]);
    await s.guard.stop();
  });

  it('after an operator resume judges only what follows, so an old window does not re-kill', async () => {
    const s = await setup();
    // Landing collapses (every decision lost): throttle, then kill.
    await s.clock.advance(30_000, s.quiet, (t) => s.metrics(t, 4));
    expect(s.seen.control.map((c) => c.action)).toEqual([
      ControlAction.THROTTLE,
      ControlAction.KILL,
    ]);
    // A forged (unsigned) resume is not believed: the guard still holds the kill.
    await s.bus.publish('control-proto', operatorCommand(ControlAction.RESUME, s.clock));
    await s.clock.advance(2_000, s.quiet, (t) => s.metrics(t, 0));
    expect(s.seen.slo.at(-1)?.lastAction).toBe(ControlAction.KILL);
    await s.bus.publish(
      'control-proto',
      operator.signer.sign(operatorCommand(ControlAction.RESUME, s.clock)),
    );
    await s.clock.advance(20_000, s.quiet, (t) => s.metrics(t, 0));
    expect(s.seen.control.filter((c) => c.source === 'guard')).toHaveLength(2);
    expect(s.seen.slo.at(-1)?.violated).toBe(false);
    expect(s.seen.slo.at(-1)?.lastAction).toBe(ControlAction.RESUME);
    await s.guard.stop();
  });

  it('audits a command it could not publish as an error and decides again next time', async () => {
    const s = await setup();
    s.flaky.failures = 1;
    await s.clock.advance(30_000, s.quiet, (t) => s.metrics(t, 4));
    const throttles = s.seen.audit.filter((a) => a.action === 'control.throttle');
    expect(throttles.map((a) => a.result)).toEqual(['error', 'ok']);
    expect(throttles[0]?.detail).toMatch(/broker unavailable/);
    expect(s.seen.control[0]?.action).toBe(ControlAction.THROTTLE);
    await s.guard.stop();
  });
});
