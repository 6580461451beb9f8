import { describeError } from '../errors.js';
import type { Opportunity } from '../gen/landfall/v1/realtime_pb.js';
import type { Logger } from '../log.js';
import type { Module } from '../market/types.js';
import { type LoadedModel, loadModelProbed } from './loader.js';
import type { SandboxLimits } from './probe.js';
import { listVersions } from './registry.js';

/** `model.shadow.<module>`: the newest candidate at start, or a version (a unique prefix). */
export const NEWEST_CANDIDATE = 'candidate';

export interface ShadowScorerOptions {
  dir: string;
  module: Module;
  featureNames: readonly string[];
  /** `candidate` (NEWEST_CANDIDATE) or a version prefix from the registry. */
  choice: string;
  sandbox?: SandboxLimits;
  logger?: Logger;
  /**
   * Pending opportunities that force a batch to be scored at once: a market that never yields
   * to the event loop (a virtual-paced backtest) must not hold every message until it ends.
   */
  maxPending?: number;
}

interface Pending {
  readonly message: Opportunity;
  readonly publish: (message: Opportunity) => void;
}

/**
 * A candidate model scoring in shadow beside the live one. It never touches a decision: the
 * telemetry hands it each opportunity message after the engine decided, it queues the message
 * and scores the batch on a later event-loop turn (setImmediate), then publishes each message
 * with `shadow_score` and `shadow_model_version` set. The candidate is chosen once, at start,
 * and loaded through the same sandbox-first loader as the live model (a library the child
 * process refuses is never mapped); until it is loaded, or when it was refused, messages go
 * out without a shadow score.
 */
export class ShadowScorer {
  private model: LoadedModel | undefined;
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly maxPending: number;
  /** Messages published without a shadow score because the candidate answered a non-finite p. */
  invalidScores = 0;

  constructor(private readonly opts: ShadowScorerOptions) {
    this.maxPending = opts.maxPending ?? 4096;
  }

  get current(): LoadedModel | undefined {
    return this.model;
  }

  /**
   * Resolves the choice in the registry and loads it (probe in a child first). Resolves with
   * the version loaded; a missing or refused candidate is logged and leaves shadow scoring off.
   */
  async start(): Promise<string | undefined> {
    const { dir, module, choice } = this.opts;
    const entries = listVersions(dir, module);
    const liveSeq = entries.find((e) => e.live)?.manifest.sequence ?? 0;
    const picked =
      choice === NEWEST_CANDIDATE
        ? entries.find((e) => !e.live && e.manifest.sequence > liveSeq)
        : only(entries.filter((e) => e.manifest.version.startsWith(choice)));
    if (picked === undefined) {
      this.opts.logger?.warn(
        { module, choice, versions: entries.map((e) => e.manifest.version) },
        'no model to run in shadow',
      );
      return undefined;
    }
    try {
      this.model = await loadModelProbed(picked.path, {
        module,
        featureNames: this.opts.featureNames,
        ...(this.opts.sandbox === undefined ? {} : { sandbox: this.opts.sandbox }),
      });
      this.opts.logger?.info({ module, version: this.model.version }, 'shadow model loaded');
      return this.model.version;
    } catch (err) {
      this.opts.logger?.warn(
        { module, path: picked.path, reason: describeError(err) },
        'shadow model rejected',
      );
      return undefined;
    }
  }

  /** Queues `message` to be scored and then handed to `publish`. */
  enqueue(message: Opportunity, publish: (message: Opportunity) => void): void {
    this.pending.push({ message, publish });
    if (this.pending.length >= this.maxPending) {
      this.flush();
      return;
    }
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Scores and publishes everything queued now (the scheduled batch, or a stop). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.pending;
    this.pending = [];
    const model = this.model;
    for (const { message, publish } of batch) {
      if (model !== undefined) this.score(model, message);
      publish(message);
    }
  }

  private score(model: LoadedModel, message: Opportunity): void {
    // A vector of another feature set or length is not what the candidate was trained on.
    if (message.features.length !== model.nFeatures) return;
    const p = model.predict(Float32Array.from(message.features));
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) {
      this.invalidScores++;
      return;
    }
    message.shadowScore = p;
    message.shadowModelVersion = model.version;
  }
}

function only<T>(matches: T[]): T | undefined {
  return matches.length === 1 ? matches[0] : undefined;
}
