import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { getBase58Decoder } from '@solana/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { liveConfigSchema } from './config.js';
import { loadWallet } from './keypair.js';
import { captureLogger, solanaKeypairJson } from './testing/testbed.js';

const dir = mkdtempSync(join(tmpdir(), 'landfall-keypair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every way the secret could be rendered: the JSON array, base58, hex, base64 of key and seed. */
function renderings(json: string): string[] {
  const bytes = Uint8Array.from(JSON.parse(json) as number[]);
  const seed = bytes.subarray(0, 32);
  const b58 = getBase58Decoder();
  return [
    json,
    (JSON.parse(json) as number[]).slice(0, 32).join(','),
    b58.decode(bytes),
    b58.decode(seed),
    Buffer.from(seed).toString('hex'),
    Buffer.from(seed).toString('base64'),
  ];
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (err === undefined) throw new Error('expected a rejection');
  return err;
}

describe('keypair loading', () => {
  it('reads a Solana CLI keypair file and the same bytes from an environment variable', async () => {
    const json = solanaKeypairJson();
    const path = join(dir, 'id.json');
    writeFileSync(path, json);
    const fromFile = await loadWallet({ keypairPath: path }, {});
    const fromEnv = await loadWallet({ keypairEnv: 'MY_KEY' }, { MY_KEY: json });
    expect(fromFile.address).toBe(fromEnv.address);
    expect(fromFile.address).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    // The private key is a non-extractable WebCrypto key: not even this process can read it back.
    await expect(
      crypto.subtle.exportKey('pkcs8', fromFile.signer.keyPair.privateKey),
    ).rejects.toThrow();
  });

  it('names the field at fault and never quotes the input', async () => {
    const json = solanaKeypairJson();
    const short = JSON.stringify((JSON.parse(json) as number[]).slice(0, 63));
    const mismatched = JSON.stringify([
      ...(JSON.parse(json) as number[]).slice(0, 32),
      ...new Array(32).fill(7),
    ]);
    const cases: Array<[Promise<unknown>, RegExp]> = [
      [loadWallet({}, {}), /set live.keypairPath .* or live.keypairEnv/],
      [loadWallet({ keypairEnv: 'NOPE' }, {}), /live.keypairEnv \(NOPE\): the variable is not set/],
      [
        loadWallet({ keypairPath: join(dir, 'missing.json') }, {}),
        /live.keypairPath .*cannot read/,
      ],
      [loadWallet({ keypairEnv: 'K' }, { K: 'not json at all' }), /not JSON/],
      [
        loadWallet({ keypairEnv: 'K' }, { K: short }),
        /64 integers 0..255, got an array of 63 items/,
      ],
      [loadWallet({ keypairEnv: 'K' }, { K: mismatched }), /not an Ed25519 keypair/],
    ];
    for (const [p, message] of cases) {
      const err = await failure(p);
      expect(isLandfallError(err, 'LF_SOLANA_KEYPAIR')).toBe(true);
      expect(err.message).toMatch(message);
      const text = `${err.message} ${inspect(err)} ${JSON.stringify(err)}`;
      for (const secret of renderings(json)) expect(text).not.toContain(secret);
    }
  });

  it('the pino logger cannot print the key, whatever is logged', async () => {
    const json = solanaKeypairJson();
    const path = join(dir, 'logged.json');
    writeFileSync(path, json);
    const config = liveConfigSchema.parse({ keypairPath: path });
    const wallet = await loadWallet(config, {});
    const { log, lines } = captureLogger('trace');
    log.info({ wallet }, 'wallet');
    log.info({ signer: wallet.signer }, 'signer');
    log.info({ keyPair: wallet.signer.keyPair }, 'key pair');
    log.info({ config }, 'config');
    log.info(wallet as unknown as object, 'wallet as bindings');
    log.child({ wallet }).info('child');
    const err = await failure(loadWallet({ keypairEnv: 'K' }, { K: json.replace(']', ',1]') }));
    log.error({ err }, 'keypair error');
    const text = `${lines.join('\n')}\n${inspect(wallet, { depth: 10 })}\n${inspect(wallet.signer, { depth: 10 })}`;
    expect(lines).toHaveLength(7);
    expect(text).toContain(wallet.address);
    for (const secret of renderings(json)) expect(text).not.toContain(secret);
  });
});
