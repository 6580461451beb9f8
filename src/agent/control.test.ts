import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { RecordingBus } from '../api/testing.js';
import { ControlVerifier, ephemeralControlKeys } from '../auth/control-signature.js';
import { TypedBus } from '../bus/typed.js';
import { isLandfallError } from '../errors.js';
import {
  type ControlAck,
  ControlAction,
  ControlCommandSchema,
  ThrottleParamsSchema,
} from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { systemClock } from '../market/system-clock.js';
import { createSimMarket } from '../sim/index.js';
import { until } from '../testing/until.js';
import { createAgent } from './assemble.js';
import { AgentControl } from './control.js';
import type { DecisionRecord } from './engine.js';

const defaults = { rateFraction: 0.5, thresholdRaise: 0.1 };
const keys = ephemeralControlKeys('operator');
const control = (home: string, module: 'arb' | 'mev' = 'arb') =>
  new AgentControl({
    agentId: 'a',
    module,
    home,
    throttleDefaults: defaults,
    clock: systemClock,
    trust: keys.verifier,
  });
const command = (action: ControlAction, extra: object = {}) =>
  create(ControlCommandSchema, {
    commandId: `c-${action}`,
    action,
    module: Module.ARBITRAGE,
    issuer: 'alice',
    reason: 'test',
    source: 'operator',
    ...extra,
  });
const home = () => mkdtempSync(join(tmpdir(), 'lf-control-'));

describe('agent control', () => {
  it('persists a kill atomically; a new control on the same home starts killed; resume clears it', () => {
    const dir = home();
    const first = control(dir);
    const ack = first.apply(command(ControlAction.KILL));
    expect(ack.applied).toBe(true);
    expect(first.state).toBe('killed');
    expect(first.kill.read()).toMatchObject({
      issuer: 'alice',
      source: 'operator',
      reason: 'test',
    });
    // No temporary file left beside it.
    expect(readdirSync(dirname(first.kill.path))).toEqual(['arb.json']);
    const restarted = control(dir);
    expect(restarted.state).toBe('killed');
    expect(control(dir, 'mev').state).toBe('running');
    expect(restarted.apply(command(ControlAction.THROTTLE)).applied).toBe(false);
    expect(restarted.apply(command(ControlAction.RESUME)).applied).toBe(true);
    expect(control(dir).state).toBe('running');
  });

  it('refuses a kill file it cannot read, naming the file and the field', () => {
    const dir = home();
    const c = control(dir);
    mkdirSync(dirname(c.kill.path), { recursive: true });
    writeFileSync(
      c.kill.path,
      JSON.stringify({ commandId: 'x', issuer: 'i', source: 's', reason: 'r' }),
    );
    expect(() => control(dir)).toThrow(/arb\.json: tsMs: expected a number/);
    writeFileSync(c.kill.path, '{nope');
    try {
      control(dir);
      expect.unreachable();
    } catch (err) {
      expect(isLandfallError(err, 'LF_CONTROL_STATE_INVALID')).toBe(true);
    }
  });

  it('throttles with the command parameters or the defaults, and checks them', () => {
    const c = control(home());
    expect(c.apply(command(ControlAction.THROTTLE)).message).toMatch(/50 % of submissions/);
    const params = create(ThrottleParamsSchema, { rateFraction: 0.25, thresholdRaise: 0.2 });
    expect(c.apply(command(ControlAction.THROTTLE, { throttle: params })).applied).toBe(true);
    expect([c.rateFraction, c.thresholdRaise]).toEqual([0.25, 0.2]);
    // A quarter of would-be submissions go, exactly.
    expect(Array.from({ length: 8 }, () => c.admit())).toEqual([
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
    const bad = create(ThrottleParamsSchema, { rateFraction: 0, thresholdRaise: 0.2 });
    const ack = c.apply(command(ControlAction.THROTTLE, { throttle: bad }));
    expect(ack.applied).toBe(false);
    expect(ack.message).toMatch(/throttle\.rate_fraction must be in \(0, 1\], got 0/);
  });

  it('refuses set-policy without policies to tune, and only an operator resumes a kill', () => {
    const c = control(home());
    const policy = c.apply(command(ControlAction.SET_POLICY));
    expect(policy.applied).toBe(false);
    expect(policy.message).toMatch(/no policies to tune/);
    c.apply(command(ControlAction.KILL, { source: 'guard', issuer: 'guard' }));
    expect(c.apply(command(ControlAction.RESUME, { source: 'guard' })).applied).toBe(false);
    expect(c.state).toBe('killed');
    expect(c.concerns(command(ControlAction.KILL, { module: Module.MEV }))).toBe(false);
  });

  it('gates the engine: killed submits nothing; throttled sends exactly its share', async () => {
    const run = async (gate?: AgentControl) => {
      const market = createSimMarket({ config: { seed: 4 }, durationMs: 3 * 60_000 });
      const records: DecisionRecord[] = [];
      const agent = createAgent({
        agentId: 'arb',
        module: 'arb',
        market,
        policy: { kind: 'landfall' },
        observers: [{ onDecision: (r) => void records.push(r) }],
        ...(gate === undefined ? {} : { gate }),
      });
      await market.simulator.run((e) => agent.handle(e));
      return { agent, records };
    };
    const free = await run();
    expect(free.agent.counters.submissions).toBeGreaterThan(0);
    const killed = control(home());
    killed.apply(command(ControlAction.KILL));
    const k = await run(killed);
    expect(k.agent.counters.submissions).toBe(0);
    expect(k.records.every((r) => r.decision === 'skipped_killed')).toBe(true);

    const throttled = control(home());
    throttled.apply(command(ControlAction.THROTTLE));
    const t = await run(throttled);
    const minScore = 0.02 + defaults.thresholdRaise;
    const reachedRate = t.records.filter(
      (r) =>
        r.score >= minScore && (r.decision === 'submitted' || r.decision === 'skipped_throttled'),
    );
    const sent = reachedRate.filter((r) => r.decision === 'submitted').length;
    expect(reachedRate.length).toBeGreaterThan(1);
    expect(sent).toBe(Math.floor(reachedRate.length / 2));
    // Between the normal and the raised threshold: skipped for the throttle, never sent.
    const raised = t.records.filter((r) => r.score >= 0.02 && r.score < minScore);
    expect(raised.every((r) => r.decision !== 'submitted')).toBe(true);
    expect(
      raised.every(
        (r) => r.decision === 'skipped_throttled' || r.decision === 'skipped_negative_ev',
      ),
    ).toBe(true);
  });

  it('obeys only commands signed by a trusted key: unsigned, unknown key, bad signature or altered are refused', () => {
    const c = control(home());
    const kill = command(ControlAction.KILL, { commandId: 'k' });
    const stranger = ephemeralControlKeys('operator'); // same key id, another key
    const unknown = ephemeralControlKeys('mallory');
    const signed = keys.signer.sign(kill);
    const forged = [
      [kill, /unsigned/],
      [unknown.signer.sign(kill), /key "mallory" is not a trusted issuer key/],
      [stranger.signer.sign(kill), /bad signature for key "operator"/],
      [{ ...signed, reason: 'changed' }, /bad signature/],
      [{ ...signed, signature: signed.signature.slice(1) }, /bad signature/],
    ] as const;
    for (const [cmd, why] of forged) {
      const { ack, refused } = c.receive(cmd);
      expect(ack.applied).toBe(false);
      expect(refused).toMatch(why);
      expect(ack.message).toMatch(why);
      expect(c.state).toBe('running');
    }
    expect(c.receive(signed)).toMatchObject({ ack: { applied: true } });
    expect(c.state).toBe('killed');
  });

  it('a replayed signed command is refused: an old resume cannot lift a newer kill', () => {
    const c = control(home());
    const resume = keys.signer.sign(command(ControlAction.RESUME, { commandId: 'r1' }));
    const kill = keys.signer.sign(command(ControlAction.KILL, { commandId: 'k1' }));
    expect(c.receive(resume).ack.applied).toBe(true);
    expect(c.receive(kill).ack.applied).toBe(true);
    const replay = c.receive(resume);
    expect(replay.ack.applied).toBe(false);
    expect(replay.refused).toMatch(/command id "r1" was already received/);
    expect(c.state).toBe('killed');
    const again = c.receive(kill);
    expect(again.ack.applied).toBe(false);
    expect(c.state).toBe('killed');
  });

  it('after a restart (ids forgotten), a resume issued before the kill is still refused', () => {
    const dir = home();
    const resume = keys.signer.sign(
      command(ControlAction.RESUME, { commandId: 'r-old', tsMs: 1_000n }),
    );
    const kill = keys.signer.sign(command(ControlAction.KILL, { commandId: 'k', tsMs: 2_000n }));
    expect(control(dir).receive(kill).ack.applied).toBe(true);
    const restarted = control(dir);
    expect(restarted.state).toBe('killed');
    const replay = restarted.receive(resume);
    expect(replay.ack.applied).toBe(false);
    expect(replay.ack.message).toMatch(/issued before the kill it would lift/);
    expect(restarted.state).toBe('killed');
    const fresh = keys.signer.sign(
      command(ControlAction.RESUME, { commandId: 'r-new', tsMs: 3_000n }),
    );
    expect(restarted.receive(fresh).ack.applied).toBe(true);
    expect(restarted.state).toBe('running');
  });

  it('a key limited to some sources cannot sign for another (the guard cannot pose as an operator)', () => {
    const guard = ephemeralControlKeys('guard');
    const c = new AgentControl({
      agentId: 'a',
      module: 'arb',
      home: home(),
      throttleDefaults: defaults,
      clock: systemClock,
      trust: new ControlVerifier([
        { keyId: 'guard', publicKey: guard.signer.publicKey, sources: ['guard'] },
      ]),
    });
    const asOperator = guard.signer.sign(command(ControlAction.KILL));
    expect(c.receive(asOperator).refused).toMatch(/may not sign for source "operator"/);
    const asGuard = guard.signer.sign(command(ControlAction.KILL, { source: 'guard' }));
    expect(c.receive(asGuard).ack.applied).toBe(true);
  });

  it('acks a forged command on the bus as refused and audits it as forbidden', async () => {
    const recording = new RecordingBus();
    const bus = new TypedBus(recording);
    const c = control(home());
    const sub = await c.listen(bus);
    const acks: ControlAck[] = [];
    await bus.subscribe('control-acks-proto', async (a) => void acks.push(a), { group: 't' });
    await bus.publish('control-proto', command(ControlAction.RESUME, { commandId: 'forged' }));
    await until(() => recording.audits().length > 0, 'the refusal audited');
    expect(acks).toMatchObject([{ commandId: 'forged', applied: false }]);
    expect(recording.audits()).toMatchObject([
      { subject: 'alice', role: 'unverified', action: 'control.resume', result: 'forbidden' },
    ]);
    expect(recording.audits()[0]?.detail).toMatch(/unsigned/);
    await sub.close();
  });
});
