import { performance } from 'node:perf_hooks';

/** What the market panel needs of the agents' market, as last written by their thread. */
export interface SharedFigures {
  /** Market clock, ms since the epoch. */
  readonly atMs: number;
  /** The simulator's event count and captures (NaN off the simulator). */
  readonly marketEvents: number;
  readonly ours: number;
  readonly theirs: number;
  /** Index into the regime names the thread gave at start; -1 off the simulator. */
  readonly regime: number;
  /** Opportunities seen and submissions made, all agents. */
  readonly seen: number;
  readonly taken: number;
}

export interface SharedClock {
  /** The market clock at `wallMs`. */
  readonly virtualMs: number;
  /** `performance.timeOrigin + performance.now()` when written: one timeline for both threads. */
  readonly wallMs: number;
  /** Market ms per wall ms from `wallMs` on; 0 while the market runs at virtual pace. */
  readonly rate: number;
}

const SEQ_BYTES = 8;
const CLOCK = 0;
const FIGURES = 3;
const SLOTS = FIGURES + 7;

/** Wall time on a timeline both threads share (each has its own `performance.timeOrigin`). */
export const sharedWallMs = () => performance.timeOrigin + performance.now();

/**
 * The market clock and the panel's figures, written by the agents' thread as events pass and
 * read on the main thread at any moment, with no message and no timer on the hot thread: a
 * conflated view (the reader sees the last write). A sequence lock keeps a read whole: the
 * writer makes the sequence odd while it writes, and a reader retries when the sequence was
 * odd or moved under it.
 */
export class ThreadShare {
  readonly #seq: Int32Array;
  readonly #slots: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SEQ_BYTES + SLOTS * 8)) {
    this.#seq = new Int32Array(buffer, 0, 1);
    this.#slots = new Float64Array(buffer, SEQ_BYTES, SLOTS);
  }

  writeClock(virtualMs: number, wallMs: number, rate: number): void {
    Atomics.add(this.#seq, 0, 1);
    const s = this.#slots;
    s[CLOCK] = virtualMs;
    s[CLOCK + 1] = wallMs;
    s[CLOCK + 2] = rate;
    Atomics.add(this.#seq, 0, 1);
  }

  writeFigures(f: SharedFigures): void {
    Atomics.add(this.#seq, 0, 1);
    const s = this.#slots;
    s[FIGURES] = f.atMs;
    s[FIGURES + 1] = f.marketEvents;
    s[FIGURES + 2] = f.ours;
    s[FIGURES + 3] = f.theirs;
    s[FIGURES + 4] = f.regime;
    s[FIGURES + 5] = f.seen;
    s[FIGURES + 6] = f.taken;
    Atomics.add(this.#seq, 0, 1);
  }

  readClock(): SharedClock {
    const [virtualMs, wallMs, rate] = this.#read(CLOCK, 3);
    return { virtualMs: virtualMs ?? 0, wallMs: wallMs ?? 0, rate: rate ?? 0 };
  }

  readFigures(): SharedFigures {
    const [atMs, marketEvents, ours, theirs, regime, seen, taken] = this.#read(FIGURES, 7);
    return {
      atMs: atMs ?? 0,
      marketEvents: marketEvents ?? Number.NaN,
      ours: ours ?? 0,
      theirs: theirs ?? 0,
      regime: regime ?? -1,
      seen: seen ?? 0,
      taken: taken ?? 0,
    };
  }

  #read(from: number, n: number): number[] {
    for (;;) {
      const before = Atomics.load(this.#seq, 0);
      if (before % 2 !== 0) continue;
      const values = Array.from(this.#slots.subarray(from, from + n));
      if (Atomics.load(this.#seq, 0) === before) return values;
    }
  }
}
