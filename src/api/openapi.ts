import { z } from 'zod';
import { controlBodySchema } from './control.js';
import { backtestBodySchema } from './routes/backtest.js';
import { seedTrainBodySchema } from './seed-train-body.js';
import { trainBodySchema } from './train-request.js';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', example: 'LF_API_INVALID_BODY' },
        message: { type: 'string' },
        field: { type: 'string', description: 'the body field at fault (400 only)' },
        requestId: { type: 'string' },
      },
    },
  },
};

const refusals = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      {
        description: {
          400: 'invalid body or query (or nested deeper than api.bodyMaxDepth); `field` names the fault',
          401: 'missing, malformed, expired or wrongly signed token',
          403: 'the token role may not do this (admin needed)',
          404: 'not found',
          409: "refused while the module's SLO is violated (LF_API_SLO_VIOLATED)",
          413: 'body larger than api.bodyLimitBytes',
          415: 'body not application/json',
          429: 'per-token write rate limit (REST and WebSocket commands together)',
          503: 'bus or store unavailable',
        }[code],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );

const ok = (description: string, schema: object = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});

const read = (summary: string, extra: object = {}) => ({
  get: { summary, responses: { 200: ok(summary), ...refusals(400, 401, 403, 503) }, ...extra },
});

const write = (summary: string, bodySchema: object, status: number, result: object) => ({
  post: {
    summary,
    requestBody: { required: true, content: { 'application/json': { schema: bodySchema } } },
    responses: {
      [status]: ok('accepted', result),
      ...refusals(400, 401, 403, 404, 409, 413, 415, 429, 503),
    },
  },
});

const query = (name: string, description: string, schema: object) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** The OpenAPI 3.1 description served at /api/openapi.json; bodies come from the zod schemas. */
export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Landfall control plane',
      version,
      description:
        'Every route but this document needs `Authorization: Bearer <JWT>` (roles admin, viewer). Viewers read; admins act. Every command is audited.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: error },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/training/start': write(
        'start a training job; the dispatcher acks on train-acks-proto. The body is TrainRequest ' +
          'JSON (module "ARBITRAGE"|"MEV") or the seed\'s shape (module "mev"|"arb", snake_case ' +
          'params, features as a set name, gpu and output at the top level): a lower-case module ' +
          "selects the seed's. Absent hyper-parameters take the seed's defaults: max_depth 8, " +
          'n_estimators 600, learning_rate 0.08. Range bounds are instants with an offset or ' +
          'dates ("2026-11-01" = UTC midnight; start inclusive, end exclusive). A job id left out ' +
          'is made up as train-<uuid>. The answer carries the id twice: jobId, and ok/job_id as ' +
          'the seed answered.',
        { oneOf: [json(trainBodySchema), json(seedTrainBodySchema)] },
        202,
        {
          type: 'object',
          properties: {
            ok: { type: 'boolean', const: true },
            jobId: { type: 'string' },
            job_id: { type: 'string', description: 'the same id, as the seed named it' },
            durable: { type: 'boolean' },
          },
        },
      ),
      '/api/training': read('recent training jobs, latest ack each, newest first', {
        parameters: [query('limit', '1..500, default 50', { type: 'integer' })],
      }),
      '/api/training/{jobId}': read('a job and its acks, newest first'),
      '/api/control': write(
        'kill, throttle, resume or set the policy of a module (admin, audited)',
        json(controlBodySchema),
        202,
        {
          type: 'object',
          properties: { commandId: { type: 'string' }, durable: { type: 'boolean' } },
        },
      ),
      '/api/control/{commandId}/acks': read("the agents' acknowledgements of a command"),
      '/api/models': read(
        'model versions per module: state live, candidate (trained after the live one and not promoted) or retired, with the figures that decided each promotion',
      ),
      '/api/models/{module}/shadow': read(
        'the live model beside each candidate run in shadow (model.shadow) on the same stored opportunities and outcomes: AUC, log-loss and would-be profit at each threshold',
        { parameters: [query('minutes', 'the window, 1..10080, default 60', { type: 'integer' })] },
      ),
      '/api/models/{module}/promote': write(
        'make a version live by hand, overriding the champion/challenger rule (admin, audited with both versions and the figures)',
        {
          type: 'object',
          required: ['version', 'reason'],
          properties: { version: { type: 'string' }, reason: { type: 'string', minLength: 1 } },
          additionalProperties: false,
        },
        200,
        { type: 'object' },
      ),
      '/api/training/schedule': read(
        'scheduled retraining (train.schedule): each schedule, its window, and the next job it requests',
      ),
      '/api/models/{module}/rollback': write(
        'make an earlier model version live (default: the one before the live one); admin, audited with both versions and the figures',
        {
          type: 'object',
          required: ['reason'],
          properties: { version: { type: 'string' }, reason: { type: 'string', minLength: 1 } },
          additionalProperties: false,
        },
        200,
        { type: 'object' },
      ),
      '/api/status': read('agents, live models, SLO state per module, bus and store health'),
      '/api/audit': read('the audit ledger, newest first (admin only)', {
        parameters: [
          query('limit', 'page size', { type: 'integer' }),
          query('before', 'the `next` cursor of the previous page, or a time in ms', {
            type: 'string',
          }),
          query('subject', 'only this subject', { type: 'string' }),
          query('action', 'only this action, e.g. control.kill', { type: 'string' }),
        ],
      }),
      '/api/history': read(
        "each agent's stored metrics over the last hour, for the dashboard's charts on first load",
      ),
      '/api/market': read(
        'inside `landfall up` only: the market panel (events/s, opportunities seen and taken, rival share, regime); 404 elsewhere',
      ),
      '/api/backtest': {
        post: {
          summary:
            '`landfall backtest --seeds` on this process’s sim and agent config, on a worker thread, one at a time (viewer or admin)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: json(backtestBodySchema) } },
          },
          responses: {
            200: ok('the seeds summary and each seed’s policies with their cumulative profit'),
            ...refusals(400, 401, 403, 413, 415, 429),
          },
        },
      },
      '/metrics': read('Prometheus metrics (text format)'),
    },
  };
}
