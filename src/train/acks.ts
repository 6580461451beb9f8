import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { TypedBus } from '../bus/typed.js';
import {
  Module as ModuleEnum,
  type TrainAck,
  TrainAckSchema,
  TrainState,
} from '../gen/landfall/v1/jobs_pb.js';
import type { Module } from '../market/types.js';

export type AckFields = MessageInitShape<typeof TrainAckSchema> & {
  jobId: string;
  state: TrainState;
};

export function protoModule(module: Module): ModuleEnum {
  return module === 'mev' ? ModuleEnum.MEV : ModuleEnum.ARBITRAGE;
}

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

export function stateName(state: TrainState): string {
  return (TrainState[state] ?? String(state)).toLowerCase();
}
