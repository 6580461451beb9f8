import { fromBinary } from '@bufbuild/protobuf';
import type { Config } from '../../config/schema.js';
import { TrainRequestSchema } from '../../gen/landfall/v1/jobs_pb.js';
import type { TrainJobData } from '../dispatcher.js';
import { createWorker } from '../queue/create.js';
import type { QueueWorker } from '../queue/types.js';
import { type TrainJob, validateRequest } from '../request.js';

/**
 * A queue worker that runs each job as far as the real worker decides what to train (it reads
 * the queued request and checks it again, src/train/worker.ts) and records that instead of
 * training: tests see the parameters a job runs with, without ClickHouse rows or libxgboost.
 */
export function recordJobs(config: Config): { jobs: TrainJob[]; worker: QueueWorker } {
  const jobs: TrainJob[] = [];
  const worker = createWorker<TrainJobData>(config.queue, config.train.queueName, async (job) => {
    const request = fromBinary(TrainRequestSchema, Buffer.from(job.data.request, 'base64'));
    const verdict = validateRequest(request, config);
    if (!verdict.ok) throw new Error(`${verdict.field}: ${verdict.message}`);
    jobs.push(verdict.job);
  });
  return { jobs, worker };
}
