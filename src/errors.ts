/**
 * The error catalogue. Every error Landfall raises on purpose carries a stable code
 * (`LF_<AREA>_<WHAT>`), a message that names the thing at fault and the fix, an HTTP status
 * for the API to map it to, and the underlying cause when there is one.
 */
export const ErrorCodes = {
  LF_CONFIG_INVALID: 400,
  LF_CONFIG_UNREADABLE: 400,
  LF_CLI_USAGE: 400,
  LF_BENCH_UNKNOWN_SUITE: 400,
  LF_BENCH_TOOL_MISSING: 412,
  LF_PROTO_DECODE: 400,
  LF_PROTO_INVALID: 400,
  LF_BUS_UNKNOWN_TOPIC: 400,
  LF_BUS_CLOSED: 503,
  LF_BUS_PUBLISH: 503,
  LF_BUS_CONNECT: 503,
  LF_STORE_CONNECT: 503,
  LF_STORE_MIGRATION: 500,
  LF_STORE_INSERT: 503,
  LF_STORE_QUERY: 500,
  LF_STORE_UNAVAILABLE: 503,
  LF_STORE_ROW_INVALID: 400,
  LF_SIM_CONFIG: 400,
  LF_SIM_STATE: 409,
  LF_MARKET_SUBMISSION_INVALID: 400,
  /**
   * The market no longer allows a well-formed submission as built (a leg that no longer pays
   * after the pool moved, a transaction that cannot fit): the executor skips it with an
   * outcome, never a rejection.
   */
  LF_MARKET_CONDITION: 409,
  LF_LIVE_CONSENT: 400,
  LF_CONTROL_STATE_INVALID: 500,
  LF_CONTROL_KEY_MISSING: 400,
  LF_CONTROL_KEY_INVALID: 400,
  LF_SOLANA_CONFIG: 400,
  LF_SOLANA_KEYPAIR: 400,
  LF_SOLANA_ACCOUNT_DECODE: 422,
  LF_SOLANA_RPC: 502,
  LF_SOLANA_RATE_LIMITED: 429,
  LF_SOLANA_TIMEOUT: 504,
  LF_MODEL_COMPILE: 400,
  LF_MODEL_REJECTED: 422,
  LF_MODEL_NOT_FOUND: 404,
  LF_MODEL_TOOLCHAIN: 500,
  LF_QUEUE_INVALID: 400,
  LF_QUEUE_CLOSED: 503,
  LF_QUEUE_UNAVAILABLE: 503,
  LF_TRAIN_INVALID: 400,
  LF_TRAIN_NO_DATA: 422,
  LF_TRAIN_GPU_UNAVAILABLE: 422,
  LF_TRAIN_UNPROFITABLE: 422,
  LF_TRAIN_FAILED: 500,
  LF_AUTH_UNAUTHENTICATED: 401,
  LF_AUTH_FORBIDDEN: 403,
  LF_AUTH_NO_KEY: 400,
  LF_AUTH_KEYS_UNAVAILABLE: 503,
  LF_API_INVALID_BODY: 400,
  LF_API_NOT_FOUND: 404,
  LF_API_BODY_TOO_LARGE: 413,
  LF_API_UNSUPPORTED_MEDIA: 415,
  LF_API_RATE_LIMITED: 429,
  LF_API_SLO_VIOLATED: 409,
  LF_GATEWAY_BAD_MESSAGE: 400,
  LF_GATEWAY_NO_DASHBOARD: 503,
  LF_GATEWAY_WEBTRANSPORT: 500,
  LF_DOCTOR_FAILED: 412,
  LF_HOST_UNPARSABLE: 502,
  LF_PROBE_UNAVAILABLE: 503,
  LF_PROBE_FAILED: 500,
  LF_PROBE_OUTPUT: 502,
  LF_PIN_INVALID: 400,
  LF_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class LandfallError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LandfallError';
    this.code = code;
    this.status = ErrorCodes[code];
  }
}

export function isLandfallError(err: unknown, code?: ErrorCode): err is LandfallError {
  return err instanceof LandfallError && (code === undefined || err.code === code);
}

/** One line for a terminal or a log: the code when we have one, then the message. */
export function describeError(err: unknown): string {
  if (err instanceof LandfallError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The message of an error of any kind, for dead-letter reasons and wrapped errors. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
