import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RecordingBus } from '../api/testing.js';
import { AuditLedger } from '../audit/ledger.js';
import { ephemeralControlKeys } from '../auth/control-signature.js';
import { TypedBus } from '../bus/typed.js';
import { handleClientMessage } from './commands.js';

describe('gateway command messages are bounded before they are parsed', () => {
  const bus = new RecordingBus();
  const typed = new TypedBus(bus);
  const deps = {
    control: {
      bus: typed,
      ledger: new AuditLedger(typed),
      signer: ephemeralControlKeys('gw').signer,
    },
    log: pino({ level: 'silent' }),
    maxDepth: 32,
  };
  const admin = { subject: 'ada', role: 'admin' as const };

  it('answers a message nested 20,000 deep with an error naming api.bodyMaxDepth, and publishes nothing', async () => {
    const deep = `{"type":"control","action":"kill","module":"arb","reason":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const reply = await handleClientMessage(deps, admin, deep, false);
    expect(reply).toMatchObject({ type: 'error', code: 'LF_GATEWAY_BAD_MESSAGE' });
    expect(reply.type === 'error' && reply.message).toContain('api.bodyMaxDepth');
    expect(bus.published).toHaveLength(0);
  });

  it('still takes an ordinary command', async () => {
    const reply = await handleClientMessage(
      deps,
      admin,
      JSON.stringify({ type: 'control', action: 'kill', module: 'arb', reason: 'ok' }),
      false,
    );
    expect(reply).toMatchObject({ type: 'control-result', ok: true });
  });
});
