import { type FSWatcher, mkdirSync, realpathSync, watch } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Module } from '../market/types.js';
import { type LoadedModel, loadModel, loadModelProbed } from './loader.js';
import type { SandboxLimits } from './probe.js';
import { latestName } from './registry.js';

export interface HotModelOptions {
  dir: string;
  module: Module;
  featureNames: readonly string[];
  /** Wait after the first change before loading; 0 (default) loads on the next turn. */
  debounceMs?: number;
  logger?: Logger;
  /** Called after every swap, with the model now serving (tests and benchmarks observe it). */
  onSwap?: (model: LoadedModel) => void;
  onReject?: (path: string, reason: string) => void;
  /** Limits of a candidate's validation in a child process (config `model.sandbox`). */
  sandbox?: SandboxLimits;
}

/**
 * The live model of one module, following `lib<module>_latest.so`. The watch is on the
 * directory: a watch on the symlink itself dies when `ln -sfn` (rename) replaces it. On a
 * change it resolves the link, probes the versioned file in a child process (a library that
 * crashes its process must not crash the agent), loads and validates it, then swaps one
 * reference. Prediction is synchronous, so a call that took `current` finishes on that model
 * even if a swap lands meanwhile; old libraries stay loaded for ever (a few tens of kB each,
 * bounded by the number of publishes an agent sees in its lifetime).
 */
export class HotModel {
  private model: LoadedModel | undefined;
  private swapCount = 0;
  private watcher: FSWatcher | undefined;
  /** Cancels the pending reload, while one is scheduled. */
  private pending: (() => void) | undefined;
  /** The last resolved target we tried, so a rejected file is reported once, not per event. */
  private lastTried: string | undefined;
  /** A candidate is being probed and loaded; `again`: the link changed meanwhile. */
  private loading = false;
  private again = false;
  private readonly opts: HotModelOptions;

  constructor(options: HotModelOptions) {
    this.opts = options;
  }

  /** The model now serving, or undefined while no valid model was ever loaded. */
  get current(): LoadedModel | undefined {
    return this.model;
  }

  /** Time the last accepted candidate took to resolve, load and validate, in ms. */
  loadMs = Number.NaN;
  /** When the child last accepted a candidate (performance.now()): a swap timed from its verdict. */
  verdictAt = Number.NaN;

  get swaps(): number {
    return this.swapCount;
  }

  get version(): string | undefined {
    return this.model?.version;
  }

  get checksum(): string | undefined {
    return this.model?.checksum;
  }

  /** Loads whatever is live now and starts watching. */
  start(): void {
    const latest = latestName(this.opts.module);
    // An agent may start before the first publish: watch the (empty) registry from the start.
    mkdirSync(this.opts.dir, { recursive: true });
    this.watcher = watch(this.opts.dir, { persistent: false }, (_event, name) => {
      if (name === null || name === latest) this.schedule();
    });
    this.watcher.on('error', (err) => {
      this.opts.logger?.error(
        { err: describeError(err), dir: this.opts.dir },
        'model watch failed',
      );
    });
    this.reload();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.pending?.();
    this.pending = undefined;
  }

  /**
   * Coalesces a burst of directory events into one reload. The reload resolves the link when
   * it runs, so it always sees the newest state; an event after it starts schedules another.
   */
  private schedule(): void {
    if (this.pending) return;
    const fire = () => {
      this.pending = undefined;
      void this.reloadInBackground();
    };
    const ms = this.opts.debounceMs ?? 0;
    if (ms > 0) {
      const t = setTimeout(fire, ms);
      this.pending = () => clearTimeout(t);
    } else {
      // 0: the events of one event-loop turn (a rename is one event), then load at once.
      const i = setImmediate(fire);
      this.pending = () => clearImmediate(i);
    }
  }

  /**
   * Resolves the link and, when it names a new file, loads, validates and swaps, probing a new
   * library in a child process first (loader.ts) while this thread waits: for a start, before
   * anything is served.
   */
  reload(): void {
    const target = this.candidate();
    if (target === undefined) return;
    const started = performance.now();
    try {
      this.accept(loadModel(target, this.loadOptions()), started);
    } catch (err) {
      this.refuse(target, err);
    }
  }

  /** `reload` with the probe off this thread: predictions go on while a candidate is probed. */
  private async reloadInBackground(): Promise<void> {
    if (this.loading) {
      this.again = true; // Resolved again once this load ends: the newest target wins.
      return;
    }
    const target = this.candidate();
    if (target === undefined) return;
    const started = performance.now();
    this.loading = true;
    try {
      const next = await loadModelProbed(target, this.loadOptions());
      if (this.watcher !== undefined) this.accept(next, started);
    } catch (err) {
      if (this.watcher !== undefined) this.refuse(target, err);
    } finally {
      this.loading = false;
      if (this.again && this.watcher !== undefined) {
        this.again = false;
        this.schedule();
      }
    }
  }

  private loadOptions() {
    return {
      module: this.opts.module,
      featureNames: this.opts.featureNames,
      ...(this.opts.sandbox === undefined ? {} : { sandbox: this.opts.sandbox }),
      onVerdict: () => {
        this.verdictAt = performance.now();
      },
    };
  }

  /** The file the link resolves to when it is one not tried yet; undefined otherwise. */
  private candidate(): string | undefined {
    const link = join(this.opts.dir, latestName(this.opts.module));
    let target: string;
    try {
      target = realpathSync(link);
    } catch {
      return undefined; // No live model published yet, or the link is mid-replacement.
    }
    if (target === this.model?.path) {
      this.lastTried = undefined;
      return undefined;
    }
    if (target === this.lastTried) return undefined;
    this.lastTried = target;
    return target;
  }

  private accept(next: LoadedModel, started: number): void {
    const previous = this.model?.version;
    this.model = next;
    this.swapCount++;
    this.loadMs = performance.now() - started;
    this.opts.logger?.info(
      {
        module: next.module,
        version: next.version,
        checksum: next.checksum,
        previous,
        loadMs: this.loadMs,
      },
      'model accepted',
    );
    this.opts.onSwap?.(next);
  }

  private refuse(target: string, err: unknown): void {
    const reason = describeError(err);
    this.opts.logger?.warn(
      { module: this.opts.module, path: target, reason, serving: this.model?.version },
      'model rejected',
    );
    this.opts.onReject?.(target, reason);
  }
}
