import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { Module, TrainRequestSchema } from '../../gen/landfall/v1/jobs_pb.js';
import { BundleOutcomeSchema } from '../../gen/landfall/v1/realtime_pb.js';
import { sampleBundleOutcome, sampleTrainRequest } from '../../proto/samples.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { measureThroughput, type Throughput } from '../stats.js';

const OPTIONS = { batches: 60, batchSize: 20_000 };

function benchMessage<Desc extends DescMessage>(
  name: string,
  schema: Desc,
  message: MessageShape<Desc>,
  tick: () => void,
): BenchRow[] {
  const bytes = toBinary(schema, message);
  const encode = measureThroughput(() => toBinary(schema, message), OPTIONS);
  tick();
  const decode = measureThroughput(() => fromBinary(schema, bytes), OPTIONS);
  tick();
  return [
    ...rowsFor(`${name}.encode`, encode),
    ...rowsFor(`${name}.decode`, decode),
    { name, metric: 'size_bytes', value: bytes.length, unit: 'bytes' },
  ];
}

function rowsFor(name: string, t: Throughput): BenchRow[] {
  return [
    { name, metric: 'ops_per_s', value: t.opsPerSecMedian, unit: 'ops/s' },
    { name, metric: 'p50_ns', value: t.nsPerOpP50, unit: 'ns/op' },
    { name, metric: 'p99_ns', value: t.nsPerOpP99, unit: 'ns/op' },
  ];
}

export const protoSuite: BenchSuite = {
  name: 'proto',
  description: 'protobuf encode/decode of BundleOutcome and TrainRequest (@bufbuild/protobuf)',
  async run(ctx: BenchContext) {
    let step = 0;
    const tick = () => ctx.progress(++step, 4);
    return [
      ...benchMessage('BundleOutcome', BundleOutcomeSchema, sampleBundleOutcome(), tick),
      ...benchMessage('TrainRequest', TrainRequestSchema, sampleTrainRequest(Module.MEV), tick),
    ];
  },
};
