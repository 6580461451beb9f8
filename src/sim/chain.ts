import type { Percentiles } from '../market/types.js';
import type { Rng } from '../random/rng.js';
import type { TipLevels } from './calibration.js';
import { type SimConfig, tipLevelsOf } from './config.js';
import type { SimContext } from './context.js';
import { scaleLevels, tipQuantile } from './tip-curve.js';

export interface Validator {
  readonly name: string;
  readonly jito: boolean;
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** z-scores of the 75th, 95th and 99th percentiles of a normal distribution. */
const Z75 = 0.6745;
const Z95 = 1.6449;
const Z99 = 2.3263;

/**
 * Slots, leaders, congestion and the fee and tip levels they imply. A slot begins every
 * `slotMs`; each leader holds `slotsPerLeader` slots, drawn uniformly from the validator set,
 * of which exactly round(jitoShare × validators) run Jito. Congestion is an OU process on its
 * logit, stepped once a slot.
 */
export class Chain {
  private readonly validators: Validator[];
  private readonly windows: number[] = [];
  private readonly leaderRng: Rng;
  private readonly congestionRng: Rng;
  private readonly tipBase: TipLevels;
  private z: number;
  private tipEma: number | undefined;
  /** 0 idle … 1 saturated; changes at slot starts. */
  congestion: number;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: SimConfig,
  ) {
    const n = config.chain.validators;
    const order = Array.from({ length: n }, (_, i) => i);
    const shuffle = ctx.rng('chain/validators');
    for (let i = n - 1; i > 0; i--) {
      const j = shuffle.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const jitoCount = Math.round(config.chain.jitoShare * n);
    const jito = new Set(order.slice(0, jitoCount));
    this.validators = Array.from({ length: n }, (_, i) => ({
      name: `validator-${String(i).padStart(3, '0')}`,
      jito: jito.has(i),
    }));
    this.leaderRng = ctx.rng('chain/leaders');
    this.congestionRng = ctx.rng('chain/congestion');
    this.tipBase = tipLevelsOf(config);
    this.z = logit(config.chain.congestion.mean);
    this.congestion = config.chain.congestion.mean;
  }

  leaderOf(slot: number): Validator {
    const window = Math.floor(
      (slot - this.config.chain.startSlot) / this.config.chain.slotsPerLeader,
    );
    // Draw windows in order, whatever order they are asked for in: lookahead never reorders.
    while (this.windows.length <= window)
      this.windows.push(this.leaderRng.int(this.validators.length));
    return this.validators[this.windows[window] as number] as Validator;
  }

  /** Begins the slot loop and the tip-floor feed; `onSlot` runs at each slot start. */
  start(onSlot: (slot: number) => void): void {
    const { slotMs } = this.config.chain;
    const first = this.config.chain.startSlot;
    const slotTick = (slot: number) => {
      if (slot > first) this.stepCongestion(slotMs);
      this.emitSlot(slot);
      onSlot(slot);
      this.ctx.at(this.ctx.slotStartMs(slot + 1), () => slotTick(slot + 1));
    };
    this.ctx.at(this.ctx.slotStartMs(first), () => slotTick(first));
    const feedTick = () => {
      this.emitTipFloor();
      this.ctx.at(this.ctx.scheduler.now() + this.config.jito.tipFloorIntervalMs, feedTick);
    };
    this.ctx.at(this.config.startTimeMs, feedTick);
  }

  /** Compute-unit prices of landed transactions now, µlamports per CU (a log-normal). */
  priorityFeeLevels(): Percentiles {
    const { idleP50, saturatedP50, spread } = this.config.chain.priorityFee;
    const p50 = Math.exp(Math.log(idleP50) + this.congestion * Math.log(saturatedP50 / idleP50));
    const sigma = Math.log(spread) / Z75;
    return {
      p25: p50 / spread,
      p50,
      p75: p50 * spread,
      p95: p50 * Math.exp(Z95 * sigma),
      p99: p50 * Math.exp(Z99 * sigma),
    };
  }

  /** Chance a direct transaction paying `microLamportsPerCu` is included. */
  directLandProbability(microLamportsPerCu: number): number {
    const { maxDropAtSaturation, steepness } = this.config.chain.direct;
    const ceiling = 1 - maxDropAtSaturation * this.congestion;
    if (microLamportsPerCu <= 0) return 0;
    const ratio = this.priorityFeeLevels().p50 / microLamportsPerCu;
    return ceiling / (1 + ratio ** steepness);
  }

  /** Landed-tip levels now: the configured sample scaled by congestion. */
  tipLevels(): TipLevels {
    const { congestionSwing } = this.config.jito;
    const factor = congestionSwing ** (this.congestion - this.config.chain.congestion.mean);
    return scaleLevels(this.tipBase, factor);
  }

  /** The tip a bundle must reach to win block space at one auction tick. */
  clearingTip(rng: Rng): number {
    const { idle, saturated } = this.config.jito.clearingQuantile;
    const q = rng.float() * (idle + (saturated - idle) * this.congestion);
    const minTip = this.config.jito.minTipLamports;
    return Math.max(minTip, tipQuantile(this.tipLevels(), minTip, q));
  }

  private stepCongestion(dtMs: number): void {
    const { mean, reversionPerMinute, volatility } = this.config.chain.congestion;
    const minutes = dtMs / 60_000;
    const target = logit(mean);
    this.z +=
      reversionPerMinute * (target - this.z) * minutes +
      volatility * Math.sqrt(minutes) * this.congestionRng.normal();
    this.congestion = sigmoid(this.z);
  }

  private emitSlot(slot: number): void {
    const atMs = this.ctx.scheduler.now();
    const leader = this.leaderOf(slot);
    const per = this.config.chain.slotsPerLeader;
    const left = per - 1 - ((slot - this.config.chain.startSlot) % per);
    const next = this.leaderOf(slot + left + 1);
    this.ctx.emit({
      kind: 'slot',
      atMs,
      slot,
      leader: leader.name,
      leaderRunsJito: leader.jito,
      leaderSlotsLeft: left,
      nextLeader: next.name,
      nextLeaderRunsJito: next.jito,
    });
    this.ctx.emit({
      kind: 'fees',
      atMs,
      slot,
      congestion: this.congestion,
      priorityFeeMicroLamports: this.priorityFeeLevels(),
    });
  }

  private emitTipFloor(): void {
    const levels = this.tipLevels();
    const minTip = this.config.jito.minTipLamports;
    const at = (q: number) => tipQuantile(levels, minTip, q);
    const p50 = at(0.5);
    // Assumption: the feed's EMA weighs each new report by 0.2.
    this.tipEma = this.tipEma === undefined ? p50 : 0.8 * this.tipEma + 0.2 * p50;
    this.ctx.emit({
      kind: 'tipFloor',
      atMs: this.ctx.scheduler.now(),
      landedTipLamports: { p25: at(0.25), p50, p75: at(0.75), p95: at(0.95), p99: at(0.99) },
      emaP50Lamports: this.tipEma,
    });
  }
}
