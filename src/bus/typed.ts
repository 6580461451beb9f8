import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { isLandfallError, LandfallError, reasonOf } from '../errors.js';
import { envelopePayload } from '../proto/envelope.js';
import { checkEnums } from '../proto/validate.js';
import { deadLetter } from './delivery.js';
import { type TopicMessage, type TopicName, type TopicSpec, topics } from './topics.js';
import type { Bus, BusMessage, Delivery, SubscribeOptions, Subscription } from './types.js';

export type TypedHandler<T extends TopicName> = (
  message: TopicMessage<T>,
  raw: BusMessage,
  delivery: Delivery,
) => Promise<void>;

/**
 * Decodes and validates one payload, bare or (on a topic that allows it) wrapped in an rt-v1
 * Envelope; throws LF_PROTO_DECODE or LF_PROTO_INVALID with the reason.
 */
export function decodeTopic<T extends TopicName>(topic: T, bytes: Uint8Array): TopicMessage<T> {
  const spec = topics[topic] as unknown as TopicSpec<DescMessage>;
  let message: MessageShape<DescMessage>;
  try {
    const wrapped = spec.envelopeCase && envelopePayload(bytes, spec.envelopeCase);
    message = wrapped || fromBinary(spec.schema, bytes);
  } catch (cause) {
    if (isLandfallError(cause)) throw cause;
    throw new LandfallError(
      'LF_PROTO_DECODE',
      `cannot decode ${spec.schema.typeName}: ${reasonOf(cause)}`,
      {
        cause,
      },
    );
  }
  const problem =
    (spec.consumerChecksEnums ? undefined : checkEnums(spec.schema, message)) ??
    spec.validate(message);
  if (problem)
    throw new LandfallError('LF_PROTO_INVALID', `invalid ${spec.schema.typeName}: ${problem}`);
  return message as TopicMessage<T>;
}

/** Validates and encodes; a producer finds out at once that it built a bad message. */
export function encodeTopic<T extends TopicName>(topic: T, message: TopicMessage<T>): Uint8Array {
  const spec = topics[topic] as unknown as TopicSpec<DescMessage>;
  const problem = checkEnums(spec.schema, message) ?? spec.validate(message);
  if (problem)
    throw new LandfallError('LF_PROTO_INVALID', `refusing to publish to ${topic}: ${problem}`);
  return toBinary(spec.schema, message);
}

/**
 * The protobuf layer over a Bus: each topic carries one message type (see topics.ts).
 * A payload that does not decode or validate goes straight to `<topic>.dlq` with the reason,
 * without retries, and the consumer carries on.
 */
export interface TypedBusOptions {
  /** Prepended to every topic name on the wire (e.g. "staging."), to share one cluster. */
  prefix?: string;
}

export class TypedBus {
  readonly prefix: string;

  constructor(
    readonly bus: Bus,
    options: TypedBusOptions = {},
  ) {
    this.prefix = options.prefix ?? '';
  }

  async publish<T extends TopicName>(
    topic: T,
    message: TopicMessage<T>,
    headers?: Record<string, string>,
  ): Promise<void> {
    const spec = topics[topic] as unknown as TopicSpec<DescMessage>;
    const value = encodeTopic(topic, message);
    await this.bus.publish(this.prefix + topic, value, {
      key: spec.key(message),
      ...(headers ? { headers } : {}),
    });
  }

  subscribe<T extends TopicName>(
    topic: T,
    handler: TypedHandler<T>,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    const publish = this.bus.publish.bind(this.bus);
    return this.bus.subscribe(
      this.prefix + topic,
      async (raw, delivery) => {
        let message: TopicMessage<T>;
        try {
          message = decodeTopic(topic, raw.value);
        } catch (err) {
          await deadLetter(raw, reasonOf(err), options.group, raw.attempt, publish);
          return;
        }
        await handler(message, raw, delivery);
      },
      options,
    );
  }
}
