import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../agent/features.js';
import { type AgentRun, runAgents } from '../agent/run.js';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { configSchema } from '../config/schema.js';
import { createSimMarket } from '../sim/index.js';
import { until } from '../testing/until.js';
import { buildSharedObject } from './compile.js';
import { buildHandModel, constantGolden, handModelSource } from './hand-built.js';
import { libraryName, publish } from './registry.js';

/**
 * A running paper agent follows the registry while candidates that would kill, hang or
 * mislead whoever maps them are published as live, one after another: each is refused by the
 * sandbox (a child process) with its reason, the agent keeps deciding with the model it had,
 * and this process, the agent's, never maps a refused file.
 */
const N = FEATURE_NAMES.length;
const GOOD_P = 0.75;
const TIMEOUT_MS = 3_000;

/** The hand-built constant model's source with `edit` applied: the faults are a line of C. */
const source = (edit: (c: string) => string) =>
  edit(handModelSource({ module: 'arb', p: GOOD_P, nFeatures: N }));

interface BadCase {
  name: string;
  reason: RegExp;
  build: (out: string, work: string) => Promise<void>;
}

const cases: BadCase[] = [
  {
    name: 'a truncated ELF (first 3,000 bytes of a valid model)',
    reason: /the probe process was killed by SIGBUS while loading$/,
    async build(out, work) {
      const whole = join(work, 'whole.so');
      await buildHandModel({ module: 'arb', p: GOOD_P, nFeatures: N }, whole);
      writeFileSync(out, readFileSync(whole).subarray(0, 3000));
    },
  },
  {
    name: 'a library whose constructor calls abort()',
    reason: /the probe process was killed by SIGABRT while loading$/,
    build: (out) =>
      buildSharedObject(
        source(
          (c) =>
            `#include <stdlib.h>\n__attribute__((constructor)) static void boom(void) { abort(); }\n${c}`,
        ),
        out,
      ),
  },
  {
    name: 'a library whose predict never returns',
    reason: new RegExp(
      `the probe process timed out after ${TIMEOUT_MS} ms while predicting golden vector 0$`,
    ),
    build: (out) =>
      buildSharedObject(
        source((c) => c.replace('(void)f;', '(void)f; for (volatile int i = 0;; i++) {}')),
        out,
      ),
  },
  {
    // Right on both golden vectors ([0, 1, 2, …] and all-NaN), NaN everywhere else.
    name: 'a library that answers NaN outside its golden vectors',
    reason:
      /random vector 1 \[Infinity, Infinity, .*\]: predicted NaN, not a finite number in \[0, 1\]$/,
    build: (out) =>
      buildSharedObject(
        source((c) =>
          c.replace(
            '(void)f;',
            'if (!(isnan(f[0]) || (f[0] == 0.0f && f[1] == 1.0f))) return NAN;',
          ),
        ),
        out,
      ),
  },
  {
    name: 'a library over the predict-latency budget',
    reason:
      /predict takes [\d.]+ µs \(median of 256 calls\), over the budget of 200 µs \(model\.sandbox\.predictBudgetUs\)$/,
    build: (out) =>
      buildSharedObject(
        source((c) =>
          c.replace(
            '(void)f;',
            '(void)f; struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);' +
              ' do { clock_gettime(CLOCK_MONOTONIC, &b); }' +
              ' while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 2000000L);',
          ),
        ).replace('#include <math.h>', '#include <math.h>\n#include <time.h>'),
        out,
      ),
  },
];

/** Whether this process has `file` mapped (the agent's process, not the sandbox's). */
const mappedHere = (file: string) => readFileSync('/proc/self/maps', 'utf8').includes(file);

describe('sandboxed validation while an agent decides', () => {
  const home = mkdtempSync(join(tmpdir(), 'lf-sandbox-'));
  const work = mkdtempSync(join(tmpdir(), 'lf-sandbox-work-'));
  const config = configSchema.parse({
    home,
    sim: { speed: 200 },
    model: { sandbox: { timeoutMs: TIMEOUT_MS, randomVectors: 500, predictBudgetUs: 200 } },
  });
  const dir = join(home, config.model.dir);
  /** The model version of every arb decision, in order. */
  const decisions: string[] = [];
  const rejected: Array<{ path: string; reason: string }> = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        const l = JSON.parse(line) as { msg: string; path?: string; reason?: string };
        if (l.msg === 'model rejected')
          rejected.push({ path: l.path ?? '', reason: l.reason ?? '' });
      },
    },
  );
  let run: AgentRun;
  let good: string;

  beforeAll(async () => {
    const lib = join(work, 'good.so');
    await buildHandModel({ module: 'arb', p: GOOD_P, nFeatures: N }, lib);
    good = publish(
      dir,
      {
        module: 'arb',
        libraryPath: lib,
        featureNames: FEATURE_NAMES,
        threshold: 0.5,
        golden: constantGolden(N, GOOD_P),
      },
      50,
    ).version;
    const publisher = {
      async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
        if (topic === 'arb-opportunities-proto') {
          decisions.push((message as TopicMessage<'arb-opportunities-proto'>).modelVersion);
        }
      },
    };
    run = await runAgents(createSimMarket({ config: config.sim, pace: 'wall' }), {
      config,
      publisher,
      modules: ['arb'],
      log: logger,
    });
    await until(() => decisions.includes(good), 'a decision by the good model', 30_000);
    // The check below can fail: the model the agent serves is mapped in this process.
    expect(mappedHere(libraryName('arb', good))).toBe(true);
  });

  afterAll(async () => {
    await run?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`refuses ${c.name}; the agent keeps deciding with the previous model`, async () => {
      const file = join(work, `${cases.indexOf(c)}.so`);
      await c.build(file, work);
      const seen = rejected.length;
      const before = decisions.length;
      const version = publish(
        dir,
        {
          module: 'arb',
          libraryPath: file,
          featureNames: FEATURE_NAMES,
          threshold: 0.5,
          golden: constantGolden(N, GOOD_P),
        },
        50,
      ).version;
      const published = libraryName('arb', version);
      // While the candidate is judged, decisions go on with the good model.
      let during = 0;
      await until(
        () => {
          if (rejected.length === seen) during = decisions.length - before;
          return rejected.length > seen;
        },
        `the rejection of ${c.name}`,
        30_000,
        1,
      );
      const r = rejected[seen];
      expect(r?.path).toBe(join(dir, published));
      expect(r?.reason).toMatch(/^LF_MODEL_REJECTED: model .* rejected: /);
      expect(r?.reason).toMatch(c.reason);
      // And after it: more decisions, every one since the publish by the good model.
      const after = decisions.length;
      await until(() => decisions.length > after + 20, 'decisions after the rejection', 30_000);
      expect(decisions.slice(before).every((v) => v === good)).toBe(true);
      expect(mappedHere(published)).toBe(false);
      // A slow verdict (the hung predict) is long enough to see decisions made meanwhile.
      if (c.name.includes('never returns')) expect(during).toBeGreaterThan(0);
    });
  }
});
