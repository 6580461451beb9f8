import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { encodeTopic } from '../bus/typed.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../log.js';
import { buildHandModel, constantGolden } from '../model/hand-built.js';
import { publish } from '../model/registry.js';
import { createSimMarket } from '../sim/index.js';
import { until } from '../testing/until.js';
import { FEATURE_NAMES } from './features.js';
import { runAgents } from './run.js';

describe('agents on the simulator market (paper mode)', () => {
  it('runs both agents on a wall-paced market and publishes until stopped', async () => {
    // 200× wall speed, so the 1 s metrics ticks come every 5 ms of wall time.
    const config = configSchema.parse({ sim: { speed: 200 }, agent: { metricsIntervalMs: 1_000 } });
    const topics = new Map<string, number>();
    const publisher = {
      async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
        encodeTopic(topic, message);
        topics.set(topic, (topics.get(topic) ?? 0) + 1);
      },
    };
    const run = await runAgents(createSimMarket({ config: config.sim, pace: 'wall' }), {
      config,
      publisher,
      modules: ['arb', 'mev'],
      log: createLogger('silent'),
    });
    expect(run.lines.join('\n')).toMatch(/arb-paper-1.*arb-opportunities-proto/);
    expect(run.lines.join('\n')).toMatch(/mev-paper-1.*mev-opportunities-proto/);
    // Wait for the metrics stream to flow (polling, no timing assertion).
    await until(() => (topics.get('metrics-proto') ?? 0) > 4, 'five metrics updates', 10_000);
    await run.stop();
    await run.stop();
    await run.ended;
    expect(topics.get('metrics-proto') ?? 0).toBeGreaterThan(4);
    // One line per agent, then the market's own.
    expect(run.summary().filter((l) => /-paper-1: /.test(l))).toHaveLength(2);
    expect(run.summary().join('\n')).toMatch(/market: \d+ events/);
  });

  it('serves decisions from a model published while it runs, and says which version', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-paper-model-'));
    const config = configSchema.parse({ home, sim: { speed: 200 } });
    const versions: string[] = [];
    const publisher = {
      async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
        if (topic === 'arb-opportunities-proto') {
          versions.push((message as TopicMessage<'arb-opportunities-proto'>).modelVersion);
        }
      },
    };
    const run = await runAgents(createSimMarket({ config: config.sim, pace: 'wall' }), {
      config,
      publisher,
      modules: ['arb'],
      log: createLogger('silent'),
    });
    expect(run.lines.join('\n')).toContain('arb heuristic (no model yet)');
    await until(() => versions.length > 0, 'a first decision', 30_000);

    // A hand-built ABI v1 library that answers p = 0.75 for the agent's own feature set.
    const lib = join(home, 'arb-build.so');
    await buildHandModel({ module: 'arb', p: 0.75, nFeatures: FEATURE_NAMES.length }, lib);
    const manifest = publish(
      join(home, config.model.dir),
      {
        module: 'arb',
        libraryPath: lib,
        featureNames: FEATURE_NAMES,
        threshold: 0.5,
        golden: constantGolden(FEATURE_NAMES.length, 0.75),
      },
      config.model.keep,
    );
    await until(() => versions.includes(manifest.version), 'a decision by the new model', 30_000);
    await run.stop();
    expect(versions[0]).not.toBe(manifest.version);
    expect(versions).toContain(manifest.version);
    // Once the model serves, every later decision names it.
    expect(
      versions.slice(versions.indexOf(manifest.version)).every((v) => v === manifest.version),
    ).toBe(true);
  });
});
