import { type TrainAck, TrainState } from '../gen/landfall/v1/jobs_pb.js';

// A TrainAck carries its state twice: field 2 as the seed's lower-case string (what a client
// written to the seed's jobs.proto reads) and field 10 typed (what Landfall's code reads).

/**
 * A job state as the seed's acks, the API and the CLI write it (`queued`, `running`, …); an
 * unknown one as its number.
 */
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

/** Both wire forms of one state, always in step: spread them into a TrainAck. */
export function ackStateFields(state: TrainState): { trainState: TrainState; state: string } {
  return { trainState: state, state: stateName(state) };
}

/**
 * The state of an ack: the typed field when set, else the seed's string, which is all a
 * producer written to the seed's jobs.proto sends.
 */
export function ackState(ack: Pick<TrainAck, 'state' | 'trainState'>): TrainState {
  return ack.trainState !== TrainState.UNSPECIFIED ? ack.trainState : stateFromName(ack.state);
}
