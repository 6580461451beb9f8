import { create, toBinary } from '@bufbuild/protobuf';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { type Envelope, EnvelopeSchema } from '../gen/landfall/v1/realtime_pb.js';
import { fromProtoModule } from '../proto/module.js';

export const SCHEMA_VERSION = 'rt-v1';

/** The topics the gateway forwards to browsers, each as one Envelope payload case. */
export const forwardedTopics = [
  'metrics-proto',
  'bundle-outcomes-proto',
  'train-acks-proto',
  'slo-proto',
  'control-acks-proto',
  'control-proto',
] as const satisfies readonly TopicName[];

export type ForwardedTopic = (typeof forwardedTopics)[number];

/**
 * One encoded envelope ready to fan out. `key` groups frames a slow client may collapse to the
 * latest one (metrics per agent, SLO per module, training ack per job); `droppable` frames
 * (outcomes) a slow client may lose; everything else is always delivered or the client dropped.
 */
export interface Frame {
  readonly bytes: Uint8Array;
  readonly type: Envelope['payload']['case'];
  readonly key: string | undefined;
  readonly droppable: boolean;
}

/** `type` carries the field's name as in realtime.proto (`train_ack`), for every language. */
const protoName = new Map(EnvelopeSchema.fields.map((f) => [f.localName, f.name]));

/** Wraps one bus message in an `rt-v1` Envelope and encodes it once for every client. */
export function frameOf<T extends ForwardedTopic>(topic: T, message: TopicMessage<T>): Frame {
  const payload = payloadOf(topic, message);
  const envelope = create(EnvelopeSchema, {
    schemaVersion: SCHEMA_VERSION,
    type: protoName.get(payload.case) ?? payload.case,
    payload,
  } as Parameters<typeof create<typeof EnvelopeSchema>>[1]);
  const bytes = toBinary(EnvelopeSchema, envelope);
  // A Buffer view (no copy): ws would otherwise wrap the bytes once per client.
  return {
    bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    ...sampling(payload),
  };
}

function payloadOf<T extends ForwardedTopic>(topic: T, message: TopicMessage<T>) {
  const m = message as never;
  switch (topic) {
    case 'metrics-proto':
      return { case: 'metrics', value: m } as const;
    case 'bundle-outcomes-proto':
      return { case: 'outcome', value: m } as const;
    case 'train-acks-proto':
      return { case: 'trainAck', value: m } as const;
    case 'slo-proto':
      return { case: 'slo', value: m } as const;
    case 'control-acks-proto':
      return { case: 'controlAck', value: m } as const;
    case 'control-proto':
      return { case: 'control', value: m } as const;
  }
  throw new Error(`no envelope case for topic ${topic}`);
}

function sampling(payload: Envelope['payload']): Omit<Frame, 'bytes'> {
  switch (payload.case) {
    case 'metrics':
      return { type: payload.case, key: `metrics:${payload.value.agentId}`, droppable: false };
    case 'slo':
      return {
        type: payload.case,
        key: `slo:${fromProtoModule(payload.value.module) ?? 'mev'}`,
        droppable: false,
      };
    case 'trainAck':
      return { type: payload.case, key: `train:${payload.value.jobId}`, droppable: false };
    case 'outcome':
    case 'arbOpportunity':
    case 'mevOpportunity':
      return { type: payload.case, key: undefined, droppable: true };
    default:
      return { type: payload.case, key: undefined, droppable: false };
  }
}
