import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { loadConfig } from './load.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lf-config-'));
}

describe('loadConfig', () => {
  it('gives the embedded mode when nothing is configured', () => {
    const { config, source } = loadConfig({ env: {}, cwd: tempDir() });
    expect(source).toBeUndefined();
    expect(config.bus.kind).toBe('memory');
    expect(config.store.kind).toBe('chdb');
    expect(config.queue.kind).toBe('memory');
    expect(config.store.ttl).toEqual({ moveToColdDays: 14, deleteDays: 400 });
  });

  it('reads landfall.yaml from the working directory, then applies the environment', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'landfall.yaml'), 'bus:\n  kind: nats\n  maxAttempts: 3\n');
    const { config, source } = loadConfig({
      cwd,
      env: {
        NATS_URL: 'nats://127.0.0.1:4333, nats://127.0.0.1:4334',
        LANDFALL_BUS__MAX_ATTEMPTS: '7',
      },
    });
    expect(source).toBe(join(cwd, 'landfall.yaml'));
    expect(config.bus.kind).toBe('nats');
    expect(config.bus.maxAttempts).toBe(7);
    expect(config.bus.nats.servers).toEqual(['nats://127.0.0.1:4333', 'nats://127.0.0.1:4334']);
  });

  it('takes secrets from the environment', () => {
    const { config } = loadConfig({ env: { LANDFALL_JWT_SECRET: 's3cret' }, cwd: tempDir() });
    expect(config.auth.hmacSecret).toBe('s3cret');
  });

  it('names the path and the allowed values when a value is invalid', () => {
    expect(() => loadConfig({ env: { LANDFALL_BUS__KIND: 'rabbit' }, cwd: tempDir() })).toThrow(
      'bus.kind: expected one of memory|nats|kafka, got "rabbit"',
    );
  });

  it('rejects unknown keys, wrong types and bad YAML with the file named', () => {
    const cwd = tempDir();
    const file = join(cwd, 'c.yaml');
    writeFileSync(file, 'store:\n  kind: chdb\n  ttl:\n    moveToColdDays: "soon"\nbogus: 1\n');
    let error: unknown;
    try {
      loadConfig({ file, env: {}, cwd });
    } catch (err) {
      error = err;
    }
    expect(isLandfallError(error, 'LF_CONFIG_INVALID')).toBe(true);
    expect(String((error as Error).message)).toContain(file);
    expect(String((error as Error).message)).toContain('store.ttl.moveToColdDays: ');
    expect(String((error as Error).message)).toContain('(root): unknown key bogus');

    writeFileSync(file, 'bus: [unclosed');
    expect(() => loadConfig({ file, env: {}, cwd })).toThrow(/not valid YAML/);
  });

  it('fails clearly when an explicit config file is missing', () => {
    const cwd = tempDir();
    expect(() => loadConfig({ file: 'nope.yaml', env: {}, cwd })).toThrow(
      `cannot read config file ${join(cwd, 'nope.yaml')}`,
    );
  });
});
