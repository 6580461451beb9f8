import { generateKeyPairSync } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import { ControlAction, ControlCommandSchema } from '../gen/landfall/v1/control_pb.js';
import {
  ControlVerifier,
  controlSignerFrom,
  controlVerifierFrom,
  generateControlKey,
  withPaperControlKey,
} from './control-signature.js';

const kill = create(ControlCommandSchema, {
  commandId: 'c1',
  action: ControlAction.KILL,
  issuer: 'ada',
  source: 'operator',
});

describe('control command signatures', () => {
  it('paper mode: one generated key per process, which that process’s agents trust', () => {
    const config = withPaperControlKey(configSchema.parse({}));
    expect(config.bus.control.signingKey).toBeDefined();
    expect(withPaperControlKey(config)).toBe(config);
    const signed = controlSignerFrom(config).sign(kill);
    expect(controlVerifierFrom(config).verify(signed)).toEqual({ ok: true, keyId: 'landfall' });
    // Another process's generated key is not trusted.
    const other = withPaperControlKey(configSchema.parse({}));
    expect(controlVerifierFrom(other).verify(signed).ok).toBe(false);
  });

  it('takes the key from LANDFALL_CONTROL_SIGNING_KEY (seed or PEM) and the trust list from config', () => {
    const { signingKey, publicKey } = generateControlKey();
    const pem = generateKeyPairSync('ed25519');
    const api = configSchema.parse({
      mode: 'live',
      bus: { control: { keyId: 'api', signingKey } },
    });
    const guard = configSchema.parse({
      mode: 'live',
      bus: {
        control: {
          keyId: 'guard',
          signingKey: pem.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        },
      },
    });
    const agent = configSchema.parse({
      mode: 'live',
      bus: {
        control: {
          trustedKeys: [
            { keyId: 'api', publicKey },
            {
              keyId: 'guard',
              publicKey: pem.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
              sources: ['guard'],
            },
          ],
        },
      },
    });
    const verifier = controlVerifierFrom(agent);
    expect(verifier.keyIds).toEqual(['api', 'guard']);
    expect(verifier.verify(controlSignerFrom(api).sign(kill)).ok).toBe(true);
    const fromGuard = controlSignerFrom(guard).sign({ ...kill, source: 'guard' });
    expect(verifier.verify(fromGuard).ok).toBe(true);
  });

  it('live mode without a key refuses to start; a malformed key names the setting', () => {
    const err = (() => {
      try {
        controlSignerFrom(configSchema.parse({ mode: 'live' }));
      } catch (e) {
        return e;
      }
    })();
    expect(isLandfallError(err) && err.code).toBe('LF_CONTROL_KEY_MISSING');
    expect(() =>
      controlSignerFrom(configSchema.parse({ bus: { control: { signingKey: 'short' } } })),
    ).toThrow(/LANDFALL_CONTROL_SIGNING_KEY\) is not an Ed25519 key/);
    expect(() => new ControlVerifier([{ keyId: 'k', publicKey: 'AAAA' }])).toThrow(
      /trustedKeys "k" is not an Ed25519 public key/,
    );
  });
});
