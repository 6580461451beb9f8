import type { AgentHistory, ModuleName } from './state.js';

/** One model version as GET /api/models lists it. */
export interface ModelVersion {
  version: string;
  live: boolean;
  /** live; candidate: trained after the live one, kept back by the promotion rule; retired. */
  state: 'live' | 'candidate' | 'retired';
  sequence: number;
  createdAt: string;
  threshold: number;
  /** Validation figures (expected_profit_sol, live_expected_profit_sol, promoted_by_rule, …). */
  metrics: Record<string, number>;
  trainingJobId?: string | null;
  source?: string;
}

/** One model's figures on live traffic (GET /api/models/:module/shadow); null: undefined. */
export interface ShadowModelFigures {
  versions: string[];
  threshold: number | null;
  auc: number | null;
  logLoss: number | null;
  profitSol: number | null;
  trades: number | null;
}

/** The live model beside one candidate that scored in shadow, on the same opportunities. */
export interface ShadowComparison {
  shadowVersion: string;
  scored: number;
  rows: number;
  positives: number;
  live: ShadowModelFigures;
  shadow: ShadowModelFigures;
}

export interface TrainingJob {
  jobId: string;
  module: ModuleName;
  state: string;
  progress: number;
  message: string;
  modelVersion: string;
}

/** GET /api/market: the market the agents trade on (src/api/routes/market.ts). */
export interface MarketSnapshot {
  tag: string;
  atMs: number;
  eventsPerSecond: number | null;
  regime: string | null;
  seen: number;
  taken: number;
  rivalShare: number | null;
  warming: boolean;
}

/** One policy of one seed in a backtest (`landfall backtest` JSON). */
export interface BacktestPolicy {
  name: string;
  description: string;
  net_profit_sol: number;
  landed_pct: number;
  submitted: number;
  ratio_to_oracle: number;
  /** Cumulative net profit at the end of each simulated minute, SOL. */
  cumulative_profit_sol: number[];
}

/** POST /api/backtest: the summary over seeds and each seed's policies. */
export interface BacktestResult {
  summary: {
    seeds: number[];
    minutes: number;
    wall_s: number;
    totals: {
      name: string;
      net_profit_sol: number;
      ci_low_sol: number;
      ci_high_sol: number;
      landed_pct: number | null;
      submitted: number | null;
    }[];
  };
  seeds: { seed: number; policies: BacktestPolicy[] }[];
}

/** An API failure, with the code and field of the server's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The REST control plane (src/api), same origin, with the signed-in token. */
export class Api {
  constructor(private readonly token: string) {}

  async models(): Promise<Record<ModuleName, ModelVersion[]>> {
    const body = await this.#call<{ modules: Record<ModuleName, ModelVersion[]> }>(
      'GET',
      '/api/models',
    );
    return body.modules;
  }

  /** Live against shadow over the last `minutes` (503 without a store: no figures). */
  async shadow(module: ModuleName, minutes = 60): Promise<ShadowComparison[]> {
    const body = await this.#call<{ comparisons: ShadowComparison[] }>(
      'GET',
      `/api/models/${module}/shadow?minutes=${minutes}`,
    );
    return body.comparisons;
  }

  rollback(module: ModuleName, version: string, reason: string): Promise<unknown> {
    return this.#call('POST', `/api/models/${module}/rollback`, { version, reason });
  }

  promote(module: ModuleName, version: string, reason: string): Promise<unknown> {
    return this.#call('POST', `/api/models/${module}/promote`, { version, reason });
  }

  /** The agents' stored metrics over the last `minutes`, one point per 10 s. */
  async history(minutes = 60): Promise<AgentHistory[]> {
    const body = await this.#call<{ agents: AgentHistory[] }>(
      'GET',
      `/api/history?minutes=${minutes}&stepSeconds=10`,
    );
    return body.agents;
  }

  market(): Promise<MarketSnapshot> {
    return this.#call<MarketSnapshot>('GET', '/api/market');
  }

  backtest(seeds: string, minutes: number): Promise<BacktestResult> {
    return this.#call<BacktestResult>('POST', '/api/backtest', { seeds, minutes });
  }

  async jobs(): Promise<TrainingJob[]> {
    return (await this.#call<{ jobs: TrainingJob[] }>('GET', '/api/training?limit=20')).jobs;
  }

  /** Starts a training job on the last `hours` of data with the default features. */
  async startTraining(module: ModuleName, hours: number): Promise<string> {
    const end = new Date();
    const start = new Date(end.getTime() - hours * 3_600_000);
    const body = {
      module: module === 'arb' ? 'ARBITRAGE' : 'MEV',
      range: { start: start.toISOString(), end: end.toISOString() },
      features: { name: 'default' },
      model: 'xgb',
      params: { maxDepth: 6, nEstimators: 100, learningRate: 0.1 },
    };
    return (await this.#call<{ jobId: string }>('POST', '/api/training/start', body)).jobId;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text === '' ? {} : (JSON.parse(text) as unknown);
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? text);
    }
    return parsed as T;
  }
}
