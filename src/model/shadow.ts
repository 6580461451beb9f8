import { existsSync, type FSWatcher, mkdirSync, watch } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describeError } from '../errors.js';
import type { Opportunity } from '../gen/landfall/v1/realtime_pb.js';
import type { Logger } from '../log.js';
import type { Module } from '../market/types.js';
import { type LoadedModel, loadModelProbed } from './loader.js';
import type { SandboxLimits } from './probe.js';
import { listVersions, type RegistryEntry } from './registry.js';

/** `model.shadow.<module>`: the newest candidate, followed as the registry changes. */
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
   * Messages waiting for a score, at most. Beyond it a message is published at once without a
   * shadow score and counted (`unscored`): a market that outruns the event loop costs shadow
   * scores, never a decision's time nor unbounded memory.
   */
  maxPending?: number;
  /** Messages scored per event-loop turn at most: a long queue drains in slices between events. */
  batch?: number;
  /** And at most this long per turn, ms (a slow candidate scores fewer per slice). */
  sliceMs?: number;
  /** Called when the model in shadow changes (a version, or undefined when none is left). */
  onChange?: (version: string | undefined) => void;
}

interface Pending {
  readonly message: Opportunity;
  readonly publish: (message: Opportunity) => void;
}

/**
 * A candidate model scoring in shadow beside the live one. It never touches a decision: the
 * telemetry hands it each opportunity message after the engine decided, it queues the message
 * and scores it on a later event-loop turn (setImmediate, `batch` at a time), then publishes it
 * with `shadow_score` and `shadow_model_version` set. A turn scores `batch` messages or `sliceMs`
 * of work, whichever comes first, and leaves the rest to the next turn; a full queue publishes
 * unscored rather than score inline.
 *
 * It follows the registry: a candidate published while the agent runs (a scheduled training
 * job's) is probed in a child process and loaded in the background, then scores from the next
 * message on; when the candidate is promoted (or removed) and `candidate` names no other, shadow
 * scoring stops. A candidate the sandbox refuses is never mapped, and the previous one, if any,
 * keeps scoring. Until a model is loaded, messages go out without a shadow score.
 */
export class ShadowScorer {
  private model: LoadedModel | undefined;
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly maxPending: number;
  private readonly batch: number;
  private readonly sliceMs: number;
  private watcher: FSWatcher | undefined;
  private follow: NodeJS.Immediate | undefined;
  private resolving: Promise<void> | undefined;
  private again = false;
  /** The file last probed, so a refused candidate is reported once, not on every event. */
  private lastTried: string | undefined;
  /** Messages published without a shadow score because the candidate answered a non-finite p. */
  invalidScores = 0;
  /** Messages published without a shadow score because the queue was full. */
  unscored = 0;
  /** Messages given a shadow score. */
  scored = 0;

  constructor(private readonly opts: ShadowScorerOptions) {
    this.maxPending = opts.maxPending ?? 4096;
    this.batch = opts.batch ?? 256;
    this.sliceMs = opts.sliceMs ?? 2;
  }

  get current(): LoadedModel | undefined {
    return this.model;
  }

  /**
   * Loads the chosen model (probe in a child first) and starts following the registry. Resolves
   * with the version loaded; a missing or refused candidate is logged and leaves scoring off
   * until one is published.
   */
  async start(): Promise<string | undefined> {
    const { dir, module } = this.opts;
    mkdirSync(dir, { recursive: true });
    this.watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || name.startsWith(`lib${module}_`)) this.changed();
    });
    this.watcher.on('error', (err) =>
      this.opts.logger?.error({ err: describeError(err), dir }, 'shadow model watch failed'),
    );
    await this.resolve();
    if (this.model === undefined) {
      this.opts.logger?.warn(
        {
          module,
          choice: this.opts.choice,
          versions: listVersions(dir, module).map((e) => e.manifest.version),
        },
        'no model to run in shadow yet',
      );
    }
    return this.model?.version;
  }

  /** Stops following the registry (queued messages still go out on `flush`). */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.follow !== undefined) clearImmediate(this.follow);
    this.follow = undefined;
  }

  /** Queues `message` to be scored and then handed to `publish`. */
  enqueue(message: Opportunity, publish: (message: Opportunity) => void): void {
    if (this.pending.length >= this.maxPending) {
      this.unscored++;
      publish(message);
      return;
    }
    this.pending.push({ message, publish });
    this.scheduled ??= setImmediate(() => this.drain());
  }

  /** Scores and publishes everything queued now (a stop, or before the metrics that count it). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.take(this.pending.length, Number.POSITIVE_INFINITY);
  }

  /** One slice of the queue per turn, so events waiting behind it wait for one slice at most. */
  private drain(): void {
    this.scheduled = undefined;
    this.take(this.batch, performance.now() + this.sliceMs);
    if (this.pending.length > 0) this.scheduled = setImmediate(() => this.drain());
  }

  /** Scores and publishes up to `n` queued messages, oldest first, until `deadline`. */
  private take(n: number, deadline: number): void {
    const model = this.model;
    let i = 0;
    while (i < n && i < this.pending.length) {
      const { message, publish } = this.pending[i++] as Pending;
      if (model !== undefined) this.score(model, message);
      publish(message);
      if (performance.now() >= deadline) break;
    }
    this.pending.splice(0, i);
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
    this.scored++;
  }

  /** The events of one turn (a publish is several renames) are one look at the registry. */
  private changed(): void {
    this.follow ??= setImmediate(() => {
      this.follow = undefined;
      void this.resolve();
    });
  }

  /** One look at the registry at a time; a change meanwhile looks again when it ends. */
  private resolve(): Promise<void> {
    if (this.resolving !== undefined) {
      this.again = true;
      return this.resolving;
    }
    this.resolving = (async () => {
      try {
        do {
          this.again = false;
          await this.followChoice();
        } while (this.again);
      } finally {
        this.resolving = undefined;
      }
    })();
    return this.resolving;
  }

  private pick(): RegistryEntry | undefined {
    const { dir, module, choice } = this.opts;
    const entries = listVersions(dir, module);
    if (choice !== NEWEST_CANDIDATE)
      return only(entries.filter((e) => e.manifest.version.startsWith(choice)));
    const liveSeq = entries.find((e) => e.live)?.manifest.sequence ?? 0;
    return entries.find((e) => !e.live && e.manifest.sequence > liveSeq);
  }

  private async followChoice(): Promise<void> {
    const { module } = this.opts;
    const picked = this.pick();
    if (picked === undefined) {
      if (this.model !== undefined) {
        this.opts.logger?.info(
          { module, version: this.model.version },
          'shadow model retired: no candidate left (promoted or removed)',
        );
        this.model = undefined;
        this.opts.onChange?.(undefined);
      }
      return;
    }
    if (picked.path === this.model?.path || picked.path === this.lastTried) return;
    // The manifest is written before the library: the library's rename is a later event.
    if (!existsSync(picked.path)) return;
    this.lastTried = picked.path;
    try {
      const next = await loadModelProbed(picked.path, {
        module,
        featureNames: this.opts.featureNames,
        ...(this.opts.sandbox === undefined ? {} : { sandbox: this.opts.sandbox }),
      });
      const previous = this.model?.version;
      this.model = next;
      this.opts.logger?.info({ module, version: next.version, previous }, 'shadow model loaded');
      this.opts.onChange?.(next.version);
    } catch (err) {
      this.opts.logger?.warn(
        { module, path: picked.path, reason: describeError(err), serving: this.model?.version },
        'shadow model rejected',
      );
    }
  }
}

function only<T>(matches: T[]): T | undefined {
  return matches.length === 1 ? matches[0] : undefined;
}
