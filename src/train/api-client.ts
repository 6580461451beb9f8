import { create, toJson } from '@bufbuild/protobuf';
import type { AckView } from '../api/routes/training.js';
import { LandfallError } from '../errors.js';
import {
  type TrainAck,
  TrainAckSchema,
  type TrainRequest,
  TrainRequestSchema,
} from '../gen/landfall/v1/jobs_pb.js';
import { ackState, ackStateFields, stateFromName } from '../proto/train-state.js';
import { isFinal } from './acks.js';

/**
 * Starts a job through a running control plane (`POST /api/training/start`) and polls its
 * acks (`GET /api/training/:jobId`) until the job is final. This is how `landfall train`
 * reaches a `landfall up` whose in-process bus no other process can hear.
 */
export async function trainThroughApi(options: {
  apiUrl: string;
  token: string;
  request: TrainRequest;
  onAck: (ack: TrainAck) => void;
  pollMs?: number;
}): Promise<TrainAck> {
  const { apiUrl, token, request } = options;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = await call(`${apiUrl}/api/training/start`, {
    method: 'POST',
    headers,
    // The API takes the issuer from the token's subject.
    body: JSON.stringify({ ...(toJson(TrainRequestSchema, request) as object), issuer: undefined }),
  });
  if (started.status !== 202) throw refused(started.status, started.body);
  const seen = new Set<string>();
  for (;;) {
    const r = await call(`${apiUrl}/api/training/${encodeURIComponent(request.jobId)}`, {
      headers,
    });
    if (r.status !== 200 && r.status !== 404) throw refused(r.status, r.body);
    const acks = r.status === 200 ? ((r.body as { acks: AckView[] }).acks ?? []) : [];
    for (const view of [...acks].reverse()) {
      const key = `${view.state}@${view.tsMs}@${view.progress}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ack = fromView(view);
      options.onAck(ack);
      if (isFinal(ackState(ack))) return ack;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (cause) {
    throw new LandfallError('LF_TRAIN_FAILED', `cannot reach the API at ${url}`, { cause });
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body };
}

function refused(status: number, body: unknown): LandfallError {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  const message =
    error?.message === undefined ? JSON.stringify(body) : `${error.code}: ${error.message}`;
  return new LandfallError('LF_TRAIN_FAILED', `the API answered ${status}: ${message}`);
}

function fromView(v: AckView): TrainAck {
  const m = v.metrics;
  return create(TrainAckSchema, {
    jobId: v.jobId,
    ...ackStateFields(stateFromName(v.state)),
    progress: v.progress,
    message: v.message,
    field: v.field,
    modelVersion: v.modelVersion,
    tsMs: BigInt(v.tsMs),
    ...(m === null
      ? {}
      : {
          metrics: {
            auc: m.auc ?? 0,
            logLoss: m.logLoss ?? 0,
            expectedProfitSol: m.expectedProfitSol ?? 0,
            threshold: m.threshold ?? 0,
            trainRows: BigInt(m.trainRows ?? 0),
            validationRows: BigInt(m.validationRows ?? 0),
          },
        }),
  });
}
