import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { AuditRecordSchema } from '../gen/landfall/v1/audit_pb.js';
import {
  ControlAckSchema,
  ControlAction,
  ControlCommandSchema,
} from '../gen/landfall/v1/control_pb.js';
import { TrainAckSchema, TrainRequestSchema } from '../gen/landfall/v1/jobs_pb.js';
import {
  BundleOutcomeSchema,
  MetricsUpdateSchema,
  OpportunitySchema,
  SloStateSchema,
} from '../gen/landfall/v1/realtime_pb.js';
import type { EnvelopeCase } from '../proto/envelope.js';
import { fromProtoModule } from '../proto/module.js';
import { checkId } from '../proto/validate.js';

/** One topic: its message type, the key a message is published under, and its own rules. */
export interface TopicSpec<Desc extends DescMessage> {
  schema: Desc;
  key(message: MessageShape<Desc>): string;
  /** Returns what is wrong, or undefined. Enum values are checked for every topic… */
  validate(message: MessageShape<Desc>): string | undefined;
  /**
   * …except on delivery to a consumer that validates them itself and answers the producer
   * (the dispatcher rejects a train request with an ack naming the field, instead of the DLQ).
   */
  consumerChecksEnums?: true;
  /**
   * The rt-v1 Envelope payload case this topic's message may also arrive wrapped in: the seed's
   * agents (and any agent written to DESIGN.md's realtime contract) publish Envelopes.
   */
  envelopeCase?: EnvelopeCase;
}

function spec<Desc extends DescMessage>(s: TopicSpec<Desc>): TopicSpec<Desc> {
  return s;
}

/** Every topic of DESIGN.md, mapped to its protobuf type. Keys are the natural ids. */
export const topics = {
  'train-requests-proto': spec({
    schema: TrainRequestSchema,
    key: (m) => m.jobId,
    // Without a job id nobody can be told: DLQ. Every other field is the dispatcher's to
    // judge, and it rejects with a TrainAck that names the field (src/train/request.ts).
    validate: (m) => checkId(m.jobId, 'job_id'),
    consumerChecksEnums: true,
  }),
  'train-acks-proto': spec({
    schema: TrainAckSchema,
    key: (m) => m.jobId,
    validate: (m) => checkId(m.jobId, 'job_id'),
  }),
  'arb-opportunities-proto': spec({
    schema: OpportunitySchema,
    key: (m) => m.opportunityId,
    validate: (m) => checkId(m.opportunityId, 'opportunity_id'),
  }),
  'mev-opportunities-proto': spec({
    schema: OpportunitySchema,
    key: (m) => m.opportunityId,
    validate: (m) => checkId(m.opportunityId, 'opportunity_id'),
  }),
  'bundle-outcomes-proto': spec({
    schema: BundleOutcomeSchema,
    envelopeCase: 'outcome',
    key: (m) => m.bundleId,
    validate: (m) => checkId(m.bundleId, 'bundle_id'),
  }),
  'metrics-proto': spec({
    schema: MetricsUpdateSchema,
    envelopeCase: 'metrics',
    key: (m) => m.agentId,
    validate: (m) => checkId(m.agentId, 'agent_id'),
  }),
  'control-proto': spec({
    schema: ControlCommandSchema,
    key: (m) => m.commandId,
    validate: (m) =>
      checkId(m.commandId, 'command_id') ??
      (m.action === ControlAction.UNSPECIFIED ? 'action is required' : undefined),
  }),
  'control-acks-proto': spec({
    schema: ControlAckSchema,
    key: (m) => m.commandId,
    validate: (m) => checkId(m.commandId, 'command_id'),
  }),
  /** The guard's verdict per module (key: module name), for the status API and the dashboard. */
  'slo-proto': spec({
    schema: SloStateSchema,
    key: (m) => fromProtoModule(m.module) ?? 'mev',
    validate: () => undefined,
  }),
  'audit-proto': spec({
    schema: AuditRecordSchema,
    key: (m) => m.auditId,
    validate: (m) =>
      checkId(m.auditId, 'audit_id') ?? (m.action === '' ? 'action is required' : undefined),
  }),
} as const;

export type TopicName = keyof typeof topics;
export type TopicMessage<T extends TopicName> = MessageShape<(typeof topics)[T]['schema']>;

export const topicNames = Object.keys(topics) as TopicName[];

export function isTopicName(name: string): name is TopicName {
  return Object.hasOwn(topics, name);
}
