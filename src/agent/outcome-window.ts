/** Counts over the outcomes of the last `lengthMs`, as of one instant. */
export interface OutcomeTotals {
  readonly decided: number;
  readonly landed: number;
  readonly negative: number;
}

/**
 * A sliding window over outcomes by their time on the market's clock: the windowed landed and
 * negative-EV rates of a MetricsUpdate. Counts are kept as outcomes enter and leave, so an
 * update costs the outcomes that left since the last one, never the whole window; outcomes
 * arrive in time order (an executor reports each when it is known).
 */
export class OutcomeWindow {
  private readonly events: { atMs: number; landed: boolean; negative: boolean }[] = [];
  private head = 0;
  private decided = 0;
  private landed = 0;
  private negative = 0;

  constructor(readonly lengthMs: number) {}

  add(atMs: number, landed: boolean, negative: boolean): void {
    this.events.push({ atMs, landed, negative });
    this.decided++;
    if (landed) this.landed++;
    if (negative) this.negative++;
  }

  /** Outcomes in (nowMs − lengthMs, nowMs]; forgets those before. */
  totals(nowMs: number): OutcomeTotals {
    const from = nowMs - this.lengthMs;
    while (this.head < this.events.length) {
      const e = this.events[this.head];
      if (e === undefined || e.atMs > from) break;
      this.decided--;
      if (e.landed) this.landed--;
      if (e.negative) this.negative--;
      this.head++;
    }
    // Compact now and then, so the array does not grow with the run.
    if (this.head > 1_024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
    return { decided: this.decided, landed: this.landed, negative: this.negative };
  }
}
