/**
 * Which epoch a slot falls in, from the cluster's epoch schedule (`getEpochSchedule`, fixed at
 * genesis). A Token-2022 transfer fee switches at an epoch boundary, so a pool's quote needs the
 * epoch its swap runs in. Agave's `EpochSchedule::get_epoch_and_slot_index`: during warmup epoch
 * n holds 32·2ⁿ slots; from `firstNormalSlot` on every epoch holds `slotsPerEpoch`.
 */
export interface EpochSchedule {
  readonly slotsPerEpoch: bigint;
  readonly firstNormalEpoch: bigint;
  readonly firstNormalSlot: bigint;
  readonly warmup: boolean;
}

/** `MINIMUM_SLOTS_PER_EPOCH`: the first warmup epoch's length. */
const MINIMUM_SLOTS_PER_EPOCH = 32n;

export function epochAt(schedule: EpochSchedule, slot: number | bigint): bigint {
  const s = BigInt(slot);
  if (s >= schedule.firstNormalSlot) {
    return schedule.firstNormalEpoch + (s - schedule.firstNormalSlot) / schedule.slotsPerEpoch;
  }
  // ceil(log2(slot + 33)) − log2(32) − 1: epoch n of warmup starts at 32·(2ⁿ − 1).
  const x = s + MINIMUM_SLOTS_PER_EPOCH + 1n;
  let log = 0n;
  while (1n << log < x) log++;
  const epoch = log - 5n - 1n;
  return epoch < 0n ? 0n : epoch;
}

/** Agave's `EpochSchedule::get_first_slot_in_epoch`. */
export function firstSlotOf(schedule: EpochSchedule, epoch: bigint): bigint {
  if (epoch <= schedule.firstNormalEpoch) return ((1n << epoch) - 1n) * MINIMUM_SLOTS_PER_EPOCH;
  return (epoch - schedule.firstNormalEpoch) * schedule.slotsPerEpoch + schedule.firstNormalSlot;
}

/** Agave's `EpochSchedule::get_slots_in_epoch`: 32·2ⁿ during warmup, then `slotsPerEpoch`. */
export function slotsIn(schedule: EpochSchedule, epoch: bigint): bigint {
  return epoch < schedule.firstNormalEpoch
    ? MINIMUM_SLOTS_PER_EPOCH << epoch
    : schedule.slotsPerEpoch;
}
