import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { TypedBus } from '../bus/typed.js';
import { type TrainAck, TrainAckSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';

export type AckFields = MessageInitShape<typeof TrainAckSchema> & {
  jobId: string;
  state: TrainState;
};

/** Every step of a job reports on train-acks-proto, stamped with the time it was produced. */
export async function publishAck(
  bus: TypedBus,
  fields: AckFields,
  now: () => number = Date.now,
): Promise<TrainAck> {
  const ack = create(TrainAckSchema, { ...fields, tsMs: BigInt(now()) });
  await bus.publish('train-acks-proto', ack);
  return ack;
}

/** True once a job can change no more. */
export function isFinal(state: TrainState): boolean {
  return (
    state === TrainState.SUCCEEDED || state === TrainState.FAILED || state === TrainState.REJECTED
  );
}

/** A job state as the API and the CLI show it (`queued`, `running`, …); an unknown one as its number. */
export function stateName(state: TrainState): string {
  return (TrainState[state] ?? String(state)).toLowerCase();
}

/**
 * The state `name` stands for: the inverse of `stateName`, also reading the proto's own names
 * (`TRAIN_STATE_SUCCEEDED`, as ClickHouse stores them). UNSPECIFIED for a name it does not know.
 */
export function stateFromName(name: string): TrainState {
  const key = name.toUpperCase().replace(/^TRAIN_STATE_/, '') as keyof typeof TrainState;
  const state: unknown = TrainState[key];
  return typeof state === 'number' ? state : TrainState.UNSPECIFIED;
}
