import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { buildHandModel, constantGolden } from './hand-built.js';
import { HotModel } from './hot.js';
import { listVersions, liveVersion, publish, rollback } from './registry.js';
import { ModelScorer } from './scorer.js';

const FEATURES = ['x0', 'x1'];
const PUBLISHES = 100;
const KEEP = 5;

/** Model i answers (i + 1) / 1024 (exact in float32), so every answer names its model. */
const pOf = (i: number) => (i + 1) / 1024;

async function buildAll(work: string, n: number): Promise<string[]> {
  const files = Array.from({ length: n }, (_, i) => join(work, `m${i}.so`));
  // Two compilers at a time: this machine has two cores.
  for (let i = 0; i < n; i += 2) {
    await Promise.all(
      files
        .slice(i, i + 2)
        .map((f, k) => buildHandModel({ module: 'arb', p: pOf(i + k), nFeatures: 2 }, f)),
    );
  }
  return files;
}

const heuristic = { version: 'heuristic-test', featureSet: 'test', score: () => 0.999 };

describe('hot reload under load', () => {
  let dir: string;
  let work: string;
  let files: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'landfall-hot-'));
    work = mkdtempSync(join(tmpdir(), 'landfall-hotw-'));
    files = await buildAll(work, PUBLISHES + 1);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const input = (i: number) => ({
    module: 'arb' as const,
    libraryPath: files[i] as string,
    featureNames: FEATURES,
    threshold: 0.5,
    golden: constantGolden(2, pOf(i)),
  });

  it(`${PUBLISHES} publishes during a tight prediction loop: none failed, mixed or missed`, async () => {
    const swapped: string[] = [];
    const hot = new HotModel({
      dir,
      module: 'arb',
      featureNames: FEATURES,
      debounceMs: 0,
      onSwap: (m) => swapped.push(m.version),
    });
    hot.start();
    const scorer = new ModelScorer({
      models: { arb: hot },
      fallback: heuristic,
      featureSet: 'test',
    });
    const row = Float32Array.of(1, 2);
    // Before any model: the heuristic serves, and says so.
    expect(scorer.decide(row, 'arb')).toMatchObject({ source: 'heuristic', p: 0.999 });

    const pByVersion = new Map<string, number>();
    const seen = new Set<string>();
    let predictions = 0;
    let bad = 0;
    let running = true;
    const loop = new Promise<void>((resolve) => {
      const tick = () => {
        for (let k = 0; k < 500; k++) {
          const d = scorer.decide(row, 'arb');
          predictions++;
          if (d.source === 'model') {
            seen.add(d.version);
            if (d.p !== pByVersion.get(d.version)) bad++;
          }
        }
        if (running) setImmediate(tick);
        else resolve();
      };
      tick();
    });

    const published: string[] = [];
    for (let i = 0; i <= PUBLISHES; i++) {
      const m = publish(dir, input(i), KEEP);
      pByVersion.set(m.version, pOf(i));
      published.push(m.version);
      // The next publish waits until the loop has been served by this one.
      while (!seen.has(m.version)) await new Promise((r) => setImmediate(r));
    }
    running = false;
    await loop;
    hot.close();

    expect(bad).toBe(0);
    expect(predictions).toBeGreaterThan(PUBLISHES * 500);
    expect(swapped).toEqual(published);
    expect(hot.swaps).toBe(PUBLISHES + 1);
    expect(hot.version).toBe(published.at(-1));
    expect(hot.checksum?.startsWith(hot.version ?? '?')).toBe(true);
    // Keep-last-K: older versions are gone from disk, the live one stays.
    expect(listVersions(dir, 'arb')).toHaveLength(KEEP);
    expect(readdirSync(dir).filter((f) => f.endsWith('.so') && f.includes('_v'))).toHaveLength(
      KEEP,
    );
    expect(existsSync(join(dir, 'libarb_latest.so'))).toBe(true);
  });

  it('rolls back to the previous version, or a named one, and the agent follows', async () => {
    const hot = new HotModel({ dir, module: 'arb', featureNames: FEATURES, debounceMs: 0 });
    hot.start();
    const versions = listVersions(dir, 'arb').map((e) => e.manifest.version);
    expect(hot.version).toBe(versions[0]);
    const waitFor = (v: string) => until(() => hot.version === v, `the hot model at ${v}`);
    expect(rollback(dir, 'arb').version).toBe(versions[1]);
    await waitFor(versions[1] as string);
    expect(liveVersion(dir, 'arb')).toBe(versions[1]);
    const oldest = versions[KEEP - 1] as string;
    rollback(dir, 'arb', oldest.slice(0, 8));
    await waitFor(oldest);
    expect(hot.current?.predict(Float32Array.of(0, 0))).toBe(pOf(PUBLISHES + 1 - KEEP));
    expect(() => rollback(dir, 'arb')).toThrow(/no earlier arb model/);
    expect(() => rollback(dir, 'arb', 'ffffffff')).toThrow(/LF_MODEL_NOT_FOUND|no version/);
    hot.close();
  });
});
