import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { TypedBus } from '../bus/typed.js';
import { type TrainAck, TrainAckSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import { ackStateFields } from '../proto/train-state.js';

/** An ack's fields with its state given once, typed: publishAck writes both wire forms. */
export type AckFields = Omit<
  MessageInitShape<typeof TrainAckSchema>,
  '$typeName' | 'state' | 'trainState'
> & {
  jobId: string;
  state: TrainState;
};

/** Every step of a job reports on train-acks-proto, stamped with the time it was produced. */
export async function publishAck(
  bus: TypedBus,
  fields: AckFields,
  now: () => number = Date.now,
): Promise<TrainAck> {
  const { state, ...rest } = fields;
  const ack = create(TrainAckSchema, {
    ...rest,
    ...ackStateFields(state),
    tsMs: BigInt(now()),
  });
  await bus.publish('train-acks-proto', ack);
  return ack;
}

/** True once a job can change no more. */
export function isFinal(state: TrainState): boolean {
  return (
    state === TrainState.SUCCEEDED || state === TrainState.FAILED || state === TrainState.REJECTED
  );
}
