import { LandfallError } from '../errors.js';
import type {
  Clock,
  Executor,
  MarketEvent,
  MarketEventHandler,
  MarketSource,
  Submission,
  SubmissionOutcome,
} from '../market/types.js';
import { validateSubmission } from '../market/validate-submission.js';
import { KeyedStreams } from '../random/keyed.js';
import { Rng } from '../random/rng.js';
import { MAX_COMPUTE_UNITS } from './calibration.js';
import { Chain } from './chain.js';
import { parseSimConfig, type SimConfig, type SimConfigInput } from './config.js';
import { AGENT_ID, type SimContext, type Trader } from './context.js';
import { Flow } from './flow.js';
import { Landing } from './landing.js';
import { OpportunityTracker } from './opportunities.js';
import { PoolLedger } from './pools.js';
import { FairPrices } from './prices.js';
import { Regimes } from './regimes.js';
import { Rivals } from './rivals.js';
import { Scheduler } from './scheduler.js';
import { newOpportunityTally, newRegimeStats, newTally, type SimStats } from './stats.js';

export interface SimulatorOptions {
  /** Simulated run length in ms; without it the run goes on until `source.stop()`. */
  durationMs?: number;
  /** Sees every decided outcome, rivals' included, with what was submitted (tests, analysis). */
  observe?: (searcher: string, outcome: SubmissionOutcome, submission: Submission) => void;
}

const AGENT: Trader = { id: AGENT_ID, searcher: true };

/**
 * The seeded market, wired: pools, fair prices, flow, chain, rivals, regimes and landing,
 * behind the engine-facing `source` (MarketSource), `executor` (Executor) and `clock`.
 * Given a seed and a config, a virtual-pace run produces the same events and outcomes,
 * bit for bit, whatever the machine.
 */
export class Simulator implements SimContext {
  readonly config: SimConfig;
  readonly scheduler: Scheduler;
  readonly stats: SimStats;
  readonly source: MarketSource;
  readonly executor: Executor;
  readonly clock: Clock;
  private readonly pools: PoolLedger;
  private readonly landing: Landing;
  private readonly regimes: Regimes;
  private readonly starters: (() => void)[];
  private readonly agentNet: KeyedStreams;
  private readonly submitted = new Set<string>();
  private handler: MarketEventHandler | undefined;
  private outbox: MarketEvent[] = [];
  private outboxHead = 0;
  private state: 'idle' | 'running' | 'ended' = 'idle';
  private running: Promise<void> | undefined;
  private readonly ended: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };

  constructor(
    config: SimConfig | SimConfigInput = {},
    private readonly options: SimulatorOptions = {},
  ) {
    this.config = parseSimConfig(config);
    this.scheduler = new Scheduler({
      startMs: this.config.startTimeMs,
      pace: this.config.pace,
      speed: this.config.speed,
    });
    this.clock = this.scheduler;
    this.stats = {
      simulatedMs: 0,
      events: 0,
      marketEvents: 0,
      opportunities: { arb: newOpportunityTally(), backrun: newOpportunityTally() },
      agent: newTally(),
      rivals: newTally(),
      regimes: Object.fromEntries(
        Object.keys(this.config.rivals.regimes).map((n) => [n, newRegimeStats()]),
      ),
    };
    this.agentNet = this.keyed('agent/network');
    this.pools = new PoolLedger(this, this.config);
    const prices = new FairPrices(this, this.config);
    const chain = new Chain(this, this.config);
    const flow = new Flow(this, this.config, this.pools, prices);
    const regimes = new Regimes(this, this.config);
    const tracker = new OpportunityTracker(
      () => this.scheduler.now(),
      this.config,
      this.pools,
      regimes,
      this.stats,
    );
    this.landing = new Landing(
      this,
      this.config,
      this.pools,
      chain,
      flow,
      regimes,
      this.stats,
      options.observe,
    );
    const rivals = new Rivals(this, this.config, this.pools, flow, chain, regimes, this.landing);
    regimes.onLeave((regime, ms) => {
      const r = this.stats.regimes[regime.name];
      if (r !== undefined) r.ms += ms;
    });
    this.pools.onChange((token, trader, sig) => tracker.onPoolChange(token, trader, sig));
    tracker.onOpen((opp) => rivals.onOpportunity(opp));
    flow.listen({
      onPending: (swap) => tracker.onPending(swap),
      onLanded: (sig) => this.landing.onLanded(sig),
      onFailed: (sig) => {
        tracker.onFailed(sig);
        this.landing.onFailed(sig);
      },
    });
    const slotMs = this.config.chain.slotMs;
    this.starters = [
      () =>
        chain.start((slot) => {
          if (slot > this.config.chain.startSlot) prices.step(slotMs);
          flow.onSlot();
        }),
      () => flow.start(),
      () => regimes.start(),
      () => this.landing.start(),
    ];
    this.regimes = regimes;
    this.ended = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Marks the rejection handled here; whoever awaits `ended` still sees it.
    this.ended.catch(() => undefined);
    this.source = {
      start: (handler) => this.begin(handler),
      stop: () => this.halt(),
      ended: this.ended,
    };
    this.executor = { submit: (s) => this.submitAgent(s) };
  }

  /** The competition regime in force now (a backtest attributes each submission to it). */
  get regime(): string {
    return this.regimes.current().name;
  }

  rng(path: string): Rng {
    return Rng.stream(this.config.seed, path);
  }

  keyed(path: string): KeyedStreams {
    return new KeyedStreams(this.config.seed, path);
  }

  at(time: number, fn: () => void): void {
    this.scheduler.at(time, () => {
      fn();
      return this.flush();
    });
  }

  emit(event: MarketEvent): void {
    if (this.handler !== undefined) this.outbox.push(event);
  }

  slotAt(timeMs: number): number {
    const { slotMs, startSlot } = this.config.chain;
    return startSlot + Math.floor((timeMs - this.config.startTimeMs) / slotMs);
  }

  slotStartMs(slot: number): number {
    const { slotMs, startSlot } = this.config.chain;
    return this.config.startTimeMs + (slot - startSlot) * slotMs;
  }

  /** Starts with `handler`, runs to the end (or until stopped) and returns the stats. */
  async run(handler: MarketEventHandler = () => undefined): Promise<SimStats> {
    await this.source.start(handler);
    await this.ended;
    return this.stats;
  }

  private async begin(handler: MarketEventHandler): Promise<void> {
    if (this.state !== 'idle') {
      throw new LandfallError(
        'LF_SIM_STATE',
        'this simulator was already started; create a new one per run',
      );
    }
    this.state = 'running';
    this.handler = handler;
    const now = this.scheduler.now();
    for (const pool of this.pools.all()) {
      this.emit({ kind: 'pool', atMs: now, slot: this.config.chain.startSlot, pool });
    }
    for (const start of this.starters) start();
    const horizon =
      this.options.durationMs === undefined
        ? undefined
        : this.config.startTimeMs + this.options.durationMs;
    this.running = (async () => {
      await this.flush();
      await this.scheduler.run(horizon);
    })().then(
      () => this.finish(),
      (err: unknown) => {
        this.state = 'ended';
        this.settle.reject(err);
      },
    );
  }

  private async finish(): Promise<void> {
    this.regimes.finish();
    this.landing.finish();
    this.stats.simulatedMs = this.scheduler.now() - this.config.startTimeMs;
    this.stats.events = this.scheduler.eventsRun;
    this.state = 'ended';
    // Let the engine's continuations on the last outcomes run before `ended` settles.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.settle.resolve();
  }

  private async halt(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'ended';
      this.settle.resolve();
      return;
    }
    this.scheduler.stop();
    await this.running;
  }

  private submitAgent(sub: Submission): Promise<SubmissionOutcome> {
    if (this.state !== 'running') {
      return Promise.reject(
        new LandfallError('LF_SIM_STATE', `submission ${sub.id}: the simulator is not running`),
      );
    }
    try {
      validateSubmission(sub, {
        maxComputeUnits: MAX_COMPUTE_UNITS,
        maxBundleTransactions: this.config.jito.maxBundleTransactions,
        knownPool: (id) => this.pools.get(id) !== undefined,
      });
      if (this.submitted.has(sub.id)) {
        throw new LandfallError(
          'LF_MARKET_SUBMISSION_INVALID',
          `submission ${JSON.stringify(sub.id)}: id was already used`,
        );
      }
    } catch (err) {
      return Promise.reject(err);
    }
    this.submitted.add(sub.id);
    // Keyed by the submission, not drawn in turn: another submission cannot shift this delay.
    const key = this.landing.keyOf(sub, AGENT);
    const delay = this.agentNet.at(key).lognormal(this.config.agent.submitLatencyMs, 0.3);
    const arrive = this.scheduler.now() + delay;
    return new Promise((resolve) => this.landing.submit(sub, AGENT, arrive, resolve, key));
  }

  private flush(): void | Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    while (this.outboxHead < this.outbox.length) {
      const event = this.outbox[this.outboxHead++] as MarketEvent;
      this.stats.marketEvents++;
      const result = handler(event);
      if (result !== undefined && typeof result.then === 'function')
        return result.then(() => this.flush());
    }
    this.outbox = [];
    this.outboxHead = 0;
  }
}
