import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { LandfallError, reasonOf } from '../errors.js';
import { type Envelope, EnvelopeSchema } from '../gen/landfall/v1/realtime_pb.js';

/** The Envelope's version string; the gateway writes it and the seed's agents publish it. */
export const RT_SCHEMA_VERSION = 'rt-v1';

export type EnvelopeCase = NonNullable<Envelope['payload']['case']>;

// Every Envelope field is length-delimited: schema_version (1), type (2), payload (10-18).
const PAYLOAD_NUMBERS = new Set(
  EnvelopeSchema.fields.filter((f) => f.oneof !== undefined).map((f) => f.number),
);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether `bytes` are an rt-v1 Envelope rather than a bare message: field 1 is the string
 * "rt-v1" and every field is one an Envelope has, length-delimited, with one payload. A bare
 * MetricsUpdate or BundleOutcome would have to carry the id "rt-v1" and not one number set
 * (timestamp, module, counters: all varint or fixed fields) to look the same.
 */
export function isEnvelope(bytes: Uint8Array): boolean {
  const reader = new BinaryReader(bytes);
  let version: string | undefined;
  let payloads = 0;
  try {
    while (reader.pos < reader.len) {
      const [no, wireType] = reader.tag();
      if (wireType !== WireType.LengthDelimited) return false;
      const value = reader.bytes();
      if (no === 1) version = utf8.decode(value);
      else if (PAYLOAD_NUMBERS.has(no)) payloads++;
      else if (no !== 2) return false;
    }
  } catch {
    return false;
  }
  return version === RT_SCHEMA_VERSION && payloads === 1;
}

/**
 * The payload of an rt-v1 Envelope on a topic that carries `expected`, or undefined when
 * `bytes` are a bare message. An Envelope with another payload is an error naming both.
 */
export function envelopePayload(
  bytes: Uint8Array,
  expected: EnvelopeCase,
): NonNullable<Envelope['payload']['value']> | undefined {
  if (!isEnvelope(bytes)) return undefined;
  let envelope: Envelope;
  try {
    envelope = fromBinary(EnvelopeSchema, bytes);
  } catch (cause) {
    throw new LandfallError(
      'LF_PROTO_DECODE',
      `cannot decode landfall.v1.Envelope: ${reasonOf(cause)}`,
      { cause },
    );
  }
  const payload = envelope.payload;
  if (payload.case === undefined || payload.case !== expected)
    throw new LandfallError(
      'LF_PROTO_INVALID',
      `an rt-v1 Envelope here must carry ${expected}, got ${payload.case ?? 'no payload'}`,
    );
  return payload.value;
}
