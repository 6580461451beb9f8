import type { Config } from '../config/schema.js';
import { type ErrorCode, ErrorCodes, isLandfallError, LandfallError, reasonOf } from '../errors.js';
import type { Module } from '../market/types.js';
import type { PinResult } from '../ops/pinning.js';
import type { MarketMode } from '../system/consent.js';

/** What the main thread hands the agents' thread (structured-cloned). */
export interface AgentThreadData {
  config: Config;
  mode: MarketMode;
  modules: Module[];
  warmMinutes?: number;
  /** Telemetry publishes the thread may have unconfirmed; beyond, they are dropped (counted). */
  maxQueued: number;
  /** The market clock and panel figures the thread writes (agent-thread-share.ts). */
  share: SharedArrayBuffer;
  /** The level of the logger the thread was started with; its own logs to stderr at it. */
  logLevel: string;
}

/** What the main thread needs to know of the market the thread opened. */
export interface ThreadMarketInfo {
  tag: string;
  agentIds: string[];
  /** The simulator's regime names (what `SharedFigures.regime` indexes); empty off it. */
  regimes: string[];
  /** The simulator's start, ms since the epoch; undefined off it. */
  startTimeMs?: number;
  /** A paper market's warm start: simulated minutes from `startMs` to the catch-up. */
  warm?: { minutes: number; startMs: number; totalMs: number };
}

/** An error as it crosses threads: its message, and its code when it had one. */
export interface ThreadError {
  message: string;
  code?: ErrorCode;
}

/** What the agents' thread tells the main thread (besides its bus requests). */
export type AgentThreadEvent =
  | { t: 'ready'; lines: string[]; pin: PinResult; market: ThreadMarketInfo }
  | { t: 'failed'; error: ThreadError }
  | { t: 'caughtUp'; error?: ThreadError }
  | { t: 'ended'; error?: ThreadError }
  | { t: 'stopped'; summary: string[]; dropped: number };

export function threadErrorOf(err: unknown): ThreadError {
  return isLandfallError(err)
    ? { message: err.message, code: err.code }
    : { message: reasonOf(err) };
}

/** The error again on this side: its code kept, LF_INTERNAL for one that had none. */
export function errorOfThread(e: ThreadError, context: string): LandfallError {
  const code = e.code !== undefined && e.code in ErrorCodes ? e.code : 'LF_INTERNAL';
  return new LandfallError(code, `${context}: ${e.message}`);
}
