import { afterEach, describe, expect, it } from 'vitest';
import { AuditLedger } from '../audit/ledger.js';
import { ephemeralControlKeys } from '../auth/control-signature.js';
import { decodeTopic, TypedBus } from '../bus/typed.js';
import { isLandfallError } from '../errors.js';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { InvalidBodyError } from './body.js';
import { issueControl } from './control.js';
import { RecordingBus } from './testing.js';

const admin = { subject: 'ada', role: 'admin' as const, tokenId: 'jti-1' };
const viewer = { subject: 'victor', role: 'viewer' as const };

describe('issueControl (shared by the REST API and the WebSocket gateway)', () => {
  const bus = new RecordingBus();
  const typed = new TypedBus(bus);
  const keys = ephemeralControlKeys('api');
  const deps = {
    bus: typed,
    ledger: new AuditLedger(typed, () => 1_000),
    signer: keys.signer,
    now: () => 2_000,
  };
  afterEach(() => {
    bus.published.length = 0;
  });

  it('publishes the command the body describes, issued by the caller, and audits it once', async () => {
    const command = await issueControl(
      deps,
      admin,
      {
        action: 'throttle',
        module: 'mev',
        reason: 'p99 over 20 ms',
        throttle: { rateFraction: 0.25 },
      },
      'req-1',
      'guard',
    );
    expect(bus.published.map((p) => p.topic)).toEqual(['control-proto', 'audit-proto']);
    const sent = decodeTopic('control-proto', bus.published[0]?.value ?? new Uint8Array());
    expect(sent).toMatchObject({
      commandId: command.commandId,
      action: ControlAction.THROTTLE,
      module: Module.MEV,
      issuer: 'ada',
      reason: 'p99 over 20 ms',
      source: 'guard',
      tsMs: 2_000n,
      throttle: { rateFraction: 0.25, thresholdRaise: 0 },
      keyId: 'api',
    });
    // Signed by the API's key: an agent that trusts it obeys, and would refuse it altered.
    expect(sent && keys.verifier.verify(sent)).toEqual({ ok: true, keyId: 'api' });
    expect(sent && keys.verifier.verify({ ...sent, source: 'operator' }).ok).toBe(false);
    expect(bus.audits()).toMatchObject([
      {
        subject: 'ada',
        role: 'admin',
        action: 'control.throttle',
        result: 'ok',
        requestId: 'req-1',
        detail: `command ${command.commandId}`,
      },
    ]);
    expect(JSON.parse(bus.audits()[0]?.paramsJson ?? '')).toMatchObject({
      reason: 'p99 over 20 ms',
    });
  });

  it('maps every action and policy names', async () => {
    const cases = [
      [{ action: 'kill', module: 'arb', reason: 'r' }, ControlAction.KILL],
      [{ action: 'resume', module: 'arb', reason: 'r' }, ControlAction.RESUME],
      [
        { action: 'set_policy', module: 'arb', reason: 'r', policy: { routePolicy: 'ewma' } },
        ControlAction.SET_POLICY,
      ],
      [
        {
          action: 'set_policy',
          module: 'arb',
          reason: 'r',
          policy: {
            tipLadder: [0.1, 0.3],
            exploration: 0,
            routePriors: { jito: 0.6, direct: 0.5, strength: 4 },
          },
        },
        ControlAction.SET_POLICY,
      ],
    ] as const;
    for (const [body, action] of cases) {
      const c = await issueControl(deps, admin, body, 'req');
      expect(c.action).toBe(action);
      expect(c.module).toBe(Module.ARBITRAGE);
      expect(c.source).toBe('operator');
    }
    const last = decodeTopic(
      'control-proto',
      bus.published.filter((p) => p.topic === 'control-proto')[2]?.value ?? new Uint8Array(),
    );
    expect(last.policy).toMatchObject({ tipPolicy: '', routePolicy: 'ewma' });
    const tuned = decodeTopic(
      'control-proto',
      bus.published.filter((p) => p.topic === 'control-proto')[3]?.value ?? new Uint8Array(),
    );
    // Exploration 0 is carried (proto3 optional), not read as unset.
    expect(tuned.policy).toMatchObject({
      tipLadder: [0.1, 0.3],
      exploration: 0,
      routePriors: { jito: 0.6, direct: 0.5, strength: 4 },
    });
  });

  it("refuses a viewer before reading the body: 403, audited 'forbidden', nothing published", async () => {
    const err = await issueControl(deps, viewer, { nonsense: true }, 'req-2').catch(
      (e: unknown) => e,
    );
    expect(isLandfallError(err, 'LF_AUTH_FORBIDDEN')).toBe(true);
    expect(bus.published.map((p) => p.topic)).toEqual(['audit-proto']);
    expect(bus.audits()[0]).toMatchObject({
      subject: 'victor',
      result: 'forbidden',
      action: 'control',
    });
  });

  it("refuses an invalid body with the field: 400, audited 'rejected', nothing published", async () => {
    const cases: Array<[unknown, string]> = [
      [{ action: 'kill', module: 'arb', reason: '  ' }, 'reason'],
      [{ action: 'kill', module: 'sol', reason: 'r' }, 'module'],
      [{ action: 'kill', module: 'arb', reason: 'r', throttle: { rateFraction: 0.5 } }, 'throttle'],
      [{ action: 'set_policy', module: 'arb', reason: 'r', policy: {} }, 'policy'],
      [
        { action: 'set_policy', module: 'arb', reason: 'r', policy: { tipPolicy: 'Rm -rf' } },
        'policy.tipPolicy',
      ],
      [
        { action: 'set_policy', module: 'arb', reason: 'r', policy: { tipLadder: [0.3, 0.2] } },
        'policy.tipLadder',
      ],
      [
        { action: 'throttle', module: 'arb', reason: 'r', throttle: { rateFraction: 0 } },
        'throttle.rateFraction',
      ],
      [null, '(body)'],
      ['kill', '(body)'],
    ];
    for (const [body, field] of cases) {
      const err = await issueControl(deps, admin, body, 'req-3').catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(InvalidBodyError);
      expect((err as InvalidBodyError).field, JSON.stringify(body)).toBe(field);
      expect((err as InvalidBodyError).status).toBe(400);
    }
    expect(bus.count('control-proto')).toBe(0);
    expect(bus.audits().map((a) => a.result)).toEqual(cases.map(() => 'rejected'));
  });
});
