import { create } from '@bufbuild/protobuf';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { AuditRecordSchema } from '../gen/landfall/v1/audit_pb.js';
import {
  ControlAckSchema,
  ControlAction,
  ControlCommandSchema,
} from '../gen/landfall/v1/control_pb.js';
import {
  type Module,
  Module as ModuleEnum,
  TrainAckSchema,
  type TrainRequest,
  TrainRequestSchema,
  TrainState,
} from '../gen/landfall/v1/jobs_pb.js';
import {
  type BundleOutcome,
  BundleOutcomeSchema,
  Decision,
  MetricsUpdateSchema,
  OpportunitySchema,
  Route,
  SloStateSchema,
} from '../gen/landfall/v1/realtime_pb.js';

/** Realistic messages for tests and benchmarks (sizes close to what agents publish). */
export function sampleBundleOutcome(i = 0): BundleOutcome {
  return create(BundleOutcomeSchema, {
    bundleId: `b-${i.toString(16).padStart(16, '0')}`,
    opportunityId: `o-${i.toString(16).padStart(16, '0')}`,
    module: ModuleEnum.MEV,
    tsMs: 1_795_000_000_000n + BigInt(i),
    landed: i % 3 !== 0,
    tipLamports: 120_000n,
    path: Route.JITO,
    leader: 'GdnSyH3YtwcxFvQrVVJMm1JhTS4QVX7MFsX56uJLUfiZ',
    slot: 310_000_000n + BigInt(i >> 2),
    profitLamports: 850_000n,
    feeLamports: 10_000n,
    agentId: 'mev-1',
    expectedNetLamports: 900_000n,
    failure: '',
    latencyMs: 412.5,
  });
}

export function sampleTrainRequest(module: Module, jobId = 'job-0001'): TrainRequest {
  return create(TrainRequestSchema, {
    schemaVersion: 'train-v1',
    jobId,
    module,
    range: { start: '2026-11-01T00:00:00Z', end: '2026-11-08T00:00:00Z' },
    features: { name: 'default', include: ['log10_tip_floor_p50'], exclude: ['leader_runs_jito'] },
    model: 'xgb',
    // learning_rate is a float on the wire: 0.125 survives a round trip exactly, 0.1 does not.
    params: { maxDepth: 6, nEstimators: 200, learningRate: 0.125, gpu: false },
    outputDir: 'models',
    issuer: 'operator@example',
  });
}

/** A valid message for every topic, keyed by `id`, for contract tests. */
export function sampleFor(topic: TopicName, id: string): TopicMessage<TopicName> {
  switch (topic) {
    case 'train-requests-proto':
      return sampleTrainRequest(ModuleEnum.ARBITRAGE, id);
    case 'train-acks-proto':
      return create(TrainAckSchema, {
        jobId: id,
        state: 'queued',
        trainState: TrainState.QUEUED,
        message: 'queued',
      });
    case 'arb-opportunities-proto':
    case 'mev-opportunities-proto':
      return create(OpportunitySchema, {
        opportunityId: id,
        module: topic === 'arb-opportunities-proto' ? ModuleEnum.ARBITRAGE : ModuleEnum.MEV,
        tsMs: 1_795_000_000_000n,
        features: [0.5, 1.25, -3],
        featureSet: 'default-v1',
        route: Route.JITO,
        decision: Decision.SUBMITTED,
      });
    case 'bundle-outcomes-proto':
      return { ...sampleBundleOutcome(), bundleId: id };
    case 'metrics-proto':
      return create(MetricsUpdateSchema, { agentId: id, hotpathP99Ms: 0.2, landedPct: 71 });
    case 'control-proto':
      return create(ControlCommandSchema, {
        commandId: id,
        action: ControlAction.KILL,
        module: ModuleEnum.MEV,
        reason: 'test',
      });
    case 'control-acks-proto':
      return create(ControlAckSchema, { commandId: id, action: ControlAction.KILL, applied: true });
    case 'audit-proto':
      return create(AuditRecordSchema, { auditId: id, action: 'control.kill', subject: 'alice' });
    case 'slo-proto':
      return create(SloStateSchema, { module: ModuleEnum.MEV, violated: true, reason: id });
  }
}
