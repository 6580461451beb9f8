import { type Tick, type TickArray, UNINITIALIZED_TICK } from './layout.js';
import { floorDivision, MAX_TICK_INDEX, MIN_TICK_INDEX, TICK_ARRAY_SIZE } from './tick-math.js';
import { fail } from './token-math.js';

/**
 * The tick arrays one swap walks, as orca-so/whirlpools `util/sparse_swap.rs` builds them and
 * `util/swap_tick_sequence.rs` walks them. The program takes the three arrays starting from the
 * one holding the current tick, in the swap's direction (B→A starts one array later when the
 * current tick sits in the last tick-spacing slot of its array); an array whose PDA was passed but
 * never initialised reads as all-zero ticks, and the sequence stops at the first start index it was
 * not given. A swap that runs past the last array fails with `TickArraySequenceInvalidIndex`.
 */

/** `Tick::check_is_valid_start_tick`. */
export function isValidStartTick(start: number, tickSpacing: number): boolean {
  const ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
  if (start < MIN_TICK_INDEX || start > MAX_TICK_INDEX) {
    if (start > MIN_TICK_INDEX) return false;
    // Rust's `%` keeps the dividend's sign.
    const minArrayStart = MIN_TICK_INDEX - ((MIN_TICK_INDEX % ticksInArray) + ticksInArray);
    return start === minArrayStart;
  }
  return start % ticksInArray === 0;
}

/** `get_start_tick_indexes` (sparse_swap.rs): the start indexes a swap's sequence is built from. */
export function swapStartTickIndexes(
  tickCurrentIndex: number,
  tickSpacing: number,
  aToB: boolean,
): number[] {
  const ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
  const base = floorDivision(tickCurrentIndex, ticksInArray) * ticksInArray;
  const shifted = tickCurrentIndex + tickSpacing >= base + ticksInArray;
  const offsets = aToB ? [0, -1, -2] : shifted ? [1, 2, 3] : [0, 1, 2];
  return offsets
    .map((o) => base + o * ticksInArray)
    .filter((start) => isValidStartTick(start, tickSpacing));
}

/** `get_offset`: floor((tick − start) / spacing). */
const offsetOf = (tickIndex: number, start: number, spacing: number) =>
  Math.floor((tickIndex - start) / spacing);

interface SequenceArray {
  readonly startTickIndex: number;
  /** Null for an uninitialised account (`ZeroedTickArray`). */
  readonly source: TickArray | null;
  /** Ticks the swap crossed, by offset: what `update_tick` writes. */
  readonly updates: Map<number, Tick>;
}

/** A sequence for one swap; `updates` is its only mutable state and never leaves the swap. */
export class SwapTickSequence {
  private readonly arrays: SequenceArray[];

  constructor(
    tickArrays: ReadonlyMap<number, TickArray | null>,
    tickCurrentIndex: number,
    private readonly tickSpacing: number,
    aToB: boolean,
  ) {
    this.arrays = [];
    for (const start of swapStartTickIndexes(tickCurrentIndex, tickSpacing, aToB)) {
      const source = tickArrays.get(start);
      if (source === undefined) break;
      this.arrays.push({ startTickIndex: start, source, updates: new Map() });
    }
    if (this.arrays.length === 0) fail('InvalidTickArraySequence');
  }

  private array(index: number): SequenceArray {
    return this.arrays[index] ?? fail('TickArrayIndexOutofBounds');
  }

  private tickAt(a: SequenceArray, offset: number): Tick {
    return a.updates.get(offset) ?? a.source?.ticks[offset] ?? UNINITIALIZED_TICK;
  }

  /** `get_next_initialized_tick_index`: `[arrayIndex, tickIndex]`. */
  nextInitializedTickIndex(
    tickIndex: number,
    aToB: boolean,
    startArrayIndex: number,
  ): [number, number] {
    const spacing = this.tickSpacing;
    const ticksInArray = TICK_ARRAY_SIZE * spacing;
    let search = tickIndex;
    for (let index = startArrayIndex; ; index++) {
      const a = this.arrays[index];
      if (a === undefined) return fail('TickArraySequenceInvalidIndex');
      const next = this.nextInitInArray(a, search, aToB);
      if (next !== undefined) return [index, next];
      if (aToB && a.startTickIndex <= MIN_TICK_INDEX) return [index, MIN_TICK_INDEX];
      if (!aToB && a.startTickIndex + ticksInArray > MAX_TICK_INDEX) return [index, MAX_TICK_INDEX];
      if (index + 1 === this.arrays.length) {
        return [index, aToB ? a.startTickIndex : a.startTickIndex + ticksInArray - 1];
      }
      search = aToB ? a.startTickIndex - 1 : a.startTickIndex + ticksInArray - 1;
    }
  }

  /** `TickArrayType::get_next_init_tick_index`. */
  private nextInitInArray(a: SequenceArray, tickIndex: number, aToB: boolean): number | undefined {
    const spacing = this.tickSpacing;
    // The search range is shifted one spacing left for B→A.
    const shift = aToB ? 0 : spacing;
    const lower = a.startTickIndex - shift;
    const upper = a.startTickIndex + TICK_ARRAY_SIZE * spacing - shift;
    if (tickIndex < lower || tickIndex >= upper) fail('InvalidTickArraySequence');
    let offset = offsetOf(tickIndex, a.startTickIndex, spacing);
    if (!aToB) offset += 1;
    // An uninitialised array has no initialised tick, and no crossing ever updates one.
    if (a.source === null) return undefined;
    while (offset >= 0 && offset < TICK_ARRAY_SIZE) {
      if (this.tickAt(a, offset).initialized) return offset * spacing + a.startTickIndex;
      offset += aToB ? -1 : 1;
    }
    return undefined;
  }

  /** `get_tick`: the tick, or undefined where the program's lookup errs (`TickNotFound`). */
  tick(arrayIndex: number, tickIndex: number): Tick | undefined {
    const a = this.arrays[arrayIndex];
    if (a === undefined) return undefined;
    const offset = this.usableOffset(a, tickIndex);
    return offset === undefined ? undefined : this.tickAt(a, offset);
  }

  private usableOffset(a: SequenceArray, tickIndex: number): number | undefined {
    const spacing = this.tickSpacing;
    const inArray =
      tickIndex >= a.startTickIndex && tickIndex < a.startTickIndex + TICK_ARRAY_SIZE * spacing;
    const usable =
      tickIndex >= MIN_TICK_INDEX && tickIndex <= MAX_TICK_INDEX && tickIndex % spacing === 0;
    if (!inArray || !usable) return undefined;
    return offsetOf(tickIndex, a.startTickIndex, spacing);
  }

  updateTick(arrayIndex: number, tickIndex: number, tick: Tick): void {
    const a = this.array(arrayIndex);
    const offset = this.usableOffset(a, tickIndex) ?? fail('TickNotFound');
    // `ZeroedTickArray::update_tick` panics; unreachable, as its ticks are never initialised.
    if (a.source === null) fail('ArithmeticAbort');
    a.updates.set(offset, tick);
  }

  tickOffset(arrayIndex: number, tickIndex: number): number {
    return offsetOf(tickIndex, this.array(arrayIndex).startTickIndex, this.tickSpacing);
  }

  /** Each initialised array the swap changed, with its crossed ticks written. */
  updatedArrays(): TickArray[] {
    const out: TickArray[] = [];
    for (const a of this.arrays) {
      if (a.source === null || a.updates.size === 0) continue;
      const ticks = a.source.ticks.map((t, i) => a.updates.get(i) ?? t);
      out.push({ ...a.source, ticks });
    }
    return out;
  }
}
