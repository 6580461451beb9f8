import type { Module } from '../market/types.js';
import type { LoadedModel } from './loader.js';

/**
 * The model-backed scorer. Structurally it is the agent engine's `Scorer` (`version`,
 * `featureSet`, `score(features, module)`), declared here as a local interface so src/model
 * does not depend on the engine. It scores with the hot model of the opportunity's module and
 * falls back to the heuristic only while that module never had a valid model: a rejected
 * candidate never takes the model away, because the hot model keeps serving the last good one.
 */
export interface FeatureScorer {
  readonly version: string;
  readonly featureSet: string;
  score(features: Float32Array, module: Module): number;
}

/** What a hot model source must offer (HotModel does). */
export interface ModelSource {
  readonly current: LoadedModel | undefined;
}

export interface Decision {
  p: number;
  source: 'model' | 'heuristic';
  /** The model version, or the heuristic's. */
  version: string;
  /** The model's baked-in threshold, when a model served. */
  threshold?: number;
}

export class ModelScorer implements FeatureScorer {
  readonly featureSet: string;
  private readonly models: Partial<Record<Module, ModelSource>>;
  private readonly fallback: FeatureScorer;
  private lastVersion: string;

  constructor(options: {
    models: Partial<Record<Module, ModelSource>>;
    fallback: FeatureScorer;
    featureSet: string;
  }) {
    this.models = options.models;
    this.fallback = options.fallback;
    this.featureSet = options.featureSet;
    this.lastVersion = options.fallback.version;
  }

  /** The served model's baked-in threshold for the latest decision; none for the heuristic. */
  threshold: number | undefined;

  /** The version that served the latest decision (the engine records it per opportunity). */
  get version(): string {
    return this.lastVersion;
  }

  /** Scores one feature vector and says which scorer served it. */
  decide(features: Float32Array, module: Module): Decision {
    // One read of `current`: the whole call runs on that model even if a swap lands.
    const model = this.models[module]?.current;
    if (model === undefined) {
      const p = this.fallback.score(features, module);
      this.lastVersion = this.fallback.version;
      this.threshold = undefined;
      return { p, source: 'heuristic', version: this.fallback.version };
    }
    this.lastVersion = model.version;
    this.threshold = model.threshold;
    return {
      p: model.predict(features),
      source: 'model',
      version: model.version,
      threshold: model.threshold,
    };
  }

  score(features: Float32Array, module: Module): number {
    return this.decide(features, module).p;
  }
}
