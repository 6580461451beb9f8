import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPaperSecret } from '../auth/dev-secret.js';
import { configSchema } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import { createLogger } from '../log.js';
import { until } from '../testing/until.js';
import { startSystem } from './system.js';

/**
 * The composition root on the embedded engines: every service in one order, stopped in the
 * reverse, and a start that fails half-way releases what it had started (chDB's directory
 * lock among them: a leaked store would refuse the next open). One home for the whole file:
 * chDB allows one data directory per process.
 */
describe('system', () => {
  const home = mkdtempSync(join(tmpdir(), 'lf-system-'));
  const log = createLogger('silent');
  // Held while a process has the embedded store open, removed when the last open closes.
  const storeLock = join(home, 'clickhouse', 'landfall.lock');

  it('starts every service in one order and stops them all, idempotently', async () => {
    const { config, generated } = withPaperSecret(
      configSchema.parse({ home, api: { port: 0 }, sim: { speed: 50 } }),
    );
    const system = await startSystem({
      config,
      log,
      services: ['api', 'guard', 'agents', 'training', 'sink'],
      generatedSecret: generated,
    });
    const heads = system.lines.map((l) => l.trim().split(/\s+/)[0]);
    const order = [
      'home',
      'store',
      'bus',
      'sink',
      'train',
      'pinning',
      'market',
      'agent',
      'guard',
      'api',
    ];
    const firstOf = order.map((h) => heads.indexOf(h));
    expect(
      firstOf.every((i) => i >= 0),
      heads.join(' '),
    ).toBe(true);
    expect([...firstOf].sort((a, b) => a - b)).toEqual(firstOf);
    expect(system.agents?.agentIds).toEqual(['arb-paper-1', 'mev-paper-1']);
    // Beside the other services, the agents run on a thread of their own (agent.thread).
    expect(heads).toContain('thread');
    expect(existsSync(storeLock)).toBe(true);
    await system.stop();
    await system.stop();
    expect(existsSync(storeLock)).toBe(false);
  });

  it('has the guard judge on the market time of agents on their thread (sim.speed 50)', async () => {
    const config = configSchema.parse({ home, sim: { speed: 50 }, log: { level: 'silent' } });
    const system = await startSystem({ config, log, services: ['agents', 'guard'] });
    try {
      expect(system.lines.some((l) => l.includes('worker thread'))).toBe(true);
      let metricsMs = 0;
      let judgedMs = 0;
      await system.bus.subscribe(
        'metrics-proto',
        async (m) => {
          metricsMs = Math.max(metricsMs, Number(m.tsMs));
        },
        { group: 'test-metrics' },
      );
      await system.bus.subscribe(
        'slo-proto',
        async (s) => {
          judgedMs = Math.max(judgedMs, Number(s.tsMs));
        },
        { group: 'test-slo' },
      );
      const began = Date.now();
      // A simulated minute: on the wall clock the guard would be a minute behind the metrics.
      await until(() => metricsMs > began + 60_000 && judgedMs > 0, 'a simulated minute', 60_000);
      const at = metricsMs;
      await until(() => judgedMs >= at, 'the guard to judge that minute', 60_000);
      expect(judgedMs - metricsMs).toBeLessThan(10_000);
    } finally {
      await system.stop();
    }
  });

  it('releases what it started when a later service fails to start', async () => {
    const config = configSchema.parse({ home, mode: 'live' });
    const failed = await startSystem({
      config,
      log,
      services: ['sink', 'agents'],
      market: 'dry-run',
      env: {},
    }).catch((err: unknown) => err);
    expect(isLandfallError(failed, 'LF_SOLANA_CONFIG'), String(failed)).toBe(true);
    expect(existsSync(storeLock)).toBe(false);
  });
});
