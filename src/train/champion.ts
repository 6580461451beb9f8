import { join } from 'node:path';
import { FEATURE_NAMES } from '../agent/features.js';
import { describeError } from '../errors.js';
import type { Module } from '../market/types.js';
import { loadModel } from '../model/loader.js';
import type { SandboxLimits } from '../model/probe.js';
import type { LiveScore } from '../model/promotion.js';
import { latestName, liveVersion } from '../model/registry.js';
import type { Split } from './dataset.js';
import { profitAt } from './evaluate.js';

/**
 * The live model's score on a job's validation window (promotion.ts): its predictions on
 * every row, unmasked, at its own threshold. It is loaded the way an agent loads it, through
 * the sandbox first. Undefined when nothing is live; `unscorable` when the live model cannot
 * be loaded here (then it cannot be serving either).
 */
export function scoreLive(
  dir: string,
  module: Module,
  validation: Split,
  cols: number,
  sandbox: SandboxLimits,
): LiveScore | { version?: string; unscorable: string } | undefined {
  const version = liveVersion(dir, module);
  if (version === undefined) return undefined;
  try {
    const model = loadModel(join(dir, latestName(module)), {
      module,
      featureNames: FEATURE_NAMES,
      sandbox,
    });
    const p = new Float32Array(validation.rows);
    for (let i = 0; i < validation.rows; i++) {
      p[i] = model.predict(validation.data.subarray(i * cols, (i + 1) * cols));
    }
    return {
      version: model.version,
      profitSol: profitAt(p, validation.profit, model.threshold) / 1e9,
      threshold: model.threshold,
    };
  } catch (err) {
    return { version, unscorable: describeError(err) };
  }
}
