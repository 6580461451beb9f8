import type { SimConfig } from './config.js';
import type { SimContext } from './context.js';

export interface Regime {
  readonly name: string;
  readonly activeRivals: number;
  readonly latencyMultiplier: number;
  readonly tipShareMultiplier: number;
}

/**
 * Which competition regime is in force. `markov`: after an exponential dwell (mean
 * `meanDwellMinutes`) the regime jumps to one of the others, uniformly; `schedule`: a fixed
 * list of (regime, minutes), repeated. Either way a policy that is right in one hour can be
 * wrong in the next.
 */
export class Regimes {
  private index: number;
  private readonly names: string[];
  private readonly all: Regime[];
  private enteredAt: number;
  private readonly listeners: ((from: Regime, spentMs: number) => void)[] = [];

  constructor(
    private readonly ctx: SimContext,
    private readonly config: SimConfig,
  ) {
    this.all = Object.entries(config.rivals.regimes).map(([name, r]) => ({ name, ...r }));
    this.names = this.all.map((r) => r.name);
    const sw = config.rivals.switching;
    const first = sw.mode === 'markov' ? sw.initial : (sw.schedule[0]?.regime as string);
    this.index = this.names.indexOf(first);
    this.enteredAt = config.startTimeMs;
  }

  current(): Regime {
    return this.all[this.index] as Regime;
  }

  /** Called with the regime being left and the time spent in it (also at the end of a run). */
  onLeave(listener: (from: Regime, spentMs: number) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    const sw = this.config.rivals.switching;
    if (sw.mode === 'markov') {
      const rng = this.ctx.rng('regimes');
      const step = () => {
        const at = this.ctx.scheduler.now() + rng.exponential(sw.meanDwellMinutes * 60_000);
        this.ctx.at(at, () => {
          const others = this.all.length - 1;
          if (others > 0) {
            const pick = rng.int(others);
            this.switchTo(pick >= this.index ? pick + 1 : pick);
          }
          step();
        });
      };
      step();
      return;
    }
    const step = (i: number) => {
      const entry = sw.schedule[i % sw.schedule.length] as { regime: string; minutes: number };
      this.switchTo(this.names.indexOf(entry.regime));
      this.ctx.at(this.ctx.scheduler.now() + entry.minutes * 60_000, () => step(i + 1));
    };
    step(0);
  }

  /** Closes the books on the current regime at the end of a run. */
  finish(): void {
    this.leave();
  }

  private switchTo(index: number): void {
    if (index === this.index) return;
    this.leave();
    this.index = index;
  }

  private leave(): void {
    const now = this.ctx.scheduler.now();
    for (const l of this.listeners) l(this.current(), now - this.enteredAt);
    this.enteredAt = now;
  }
}
