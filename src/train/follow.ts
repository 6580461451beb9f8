import { randomUUID } from 'node:crypto';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import type { TrainAck } from '../gen/landfall/v1/jobs_pb.js';
import { ackState } from '../proto/train-state.js';
import { isFinal } from './acks.js';

export interface JobFollower {
  /** Settles with the job's final ack (succeeded, failed or rejected). */
  readonly done: Promise<TrainAck>;
  close(): Promise<void>;
}

/**
 * Follows one job's acks on train-acks-proto, in a consumer group of its own so it sees every
 * ack whoever else consumes them. Subscribe before publishing the request, so no ack is missed.
 */
export async function followJob(
  bus: TypedBus,
  jobId: string,
  onAck: (ack: TrainAck) => void,
): Promise<JobFollower> {
  let settle: (ack: TrainAck) => void = () => undefined;
  const done = new Promise<TrainAck>((resolve) => {
    settle = resolve;
  });
  const sub: Subscription = await bus.subscribe(
    'train-acks-proto',
    async (ack) => {
      if (ack.jobId !== jobId) return;
      onAck(ack);
      if (isFinal(ackState(ack))) settle(ack);
    },
    { group: `train-follow-${randomUUID()}`, transient: true },
  );
  return { done, close: () => sub.close() };
}
