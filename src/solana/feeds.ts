import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { FeeLevelEvent, Percentiles, TipFloorEvent } from '../market/types.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * The two price feeds a live agent polls. The Jito tip floor (`GET <tipFloorUrl>`) answers a
 * JSON array whose first element carries `landed_tips_{25,50,75,95,99}th_percentile` and
 * `ema_landed_tips_50th_percentile`, in SOL; it is the prior for the tip ladder. Priority fees
 * come from `getRecentPrioritizationFees` over the watched pool accounts.
 */

const LAMPORTS_PER_SOL = 1e9;

/** Jito's documented minimum tip (CALIBRATION.md): the tip floor may raise it, never lower it. */
export const JITO_MIN_TIP_LAMPORTS = 1_000;

/**
 * The minimum tip a bundle carries, following the tip floor as it is polled: the latest floor's
 * 25th percentile of landed tips (a tip below what three bundles in four paid rarely wins), never
 * below Jito's minimum. Read per decision, so a floor that moves moves the tip ladder's bottom.
 */
export class MinimumTip {
  private floorLamports: number;

  constructor(initialLamports = JITO_MIN_TIP_LAMPORTS) {
    this.floorLamports = initialLamports;
  }

  observe(event: TipFloorEvent): void {
    this.floorLamports = event.landedTipLamports.p25;
  }

  get lamports(): number {
    return Math.max(JITO_MIN_TIP_LAMPORTS, this.floorLamports);
  }
}
const TIP_FIELDS = {
  p25: 'landed_tips_25th_percentile',
  p50: 'landed_tips_50th_percentile',
  p75: 'landed_tips_75th_percentile',
  p95: 'landed_tips_95th_percentile',
  p99: 'landed_tips_99th_percentile',
} as const;

export async function fetchTipFloor(
  url: string,
  timeoutMs: number,
  nowMs: number,
): Promise<TipFloorEvent> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new LandfallError(
      'LF_SOLANA_RPC',
      `tip floor ${url}: request failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (response.status === 429) {
    await response.body?.cancel();
    throw new LandfallError(
      'LF_SOLANA_RATE_LIMITED',
      `tip floor ${url}: rate limited (HTTP 429); the next poll retries`,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new LandfallError(
      'LF_SOLANA_RPC',
      `tip floor ${url}: HTTP ${response.status}: ${text.slice(0, 120)}`,
    );
  }
  return parseTipFloor(text, url, nowMs);
}

export function parseTipFloor(text: string, url: string, nowMs: number): TipFloorEvent {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LandfallError('LF_SOLANA_RPC', `tip floor ${url}: the body is not JSON`);
  }
  const row = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | undefined;
  const read = (field: string): number => {
    const v = row?.[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new LandfallError(
        'LF_SOLANA_RPC',
        `tip floor ${url}: field ${field} missing or not a non-negative number`,
      );
    }
    return Math.round(v * LAMPORTS_PER_SOL);
  };
  const landedTipLamports: Percentiles = {
    p25: read(TIP_FIELDS.p25),
    p50: read(TIP_FIELDS.p50),
    p75: read(TIP_FIELDS.p75),
    p95: read(TIP_FIELDS.p95),
    p99: read(TIP_FIELDS.p99),
  };
  return {
    kind: 'tipFloor',
    atMs: nowMs,
    landedTipLamports,
    emaP50Lamports: read('ema_landed_tips_50th_percentile'),
  };
}

/**
 * Going compute-unit prices: percentiles of the per-slot fees `getRecentPrioritizationFees`
 * reports for the watched accounts. Congestion is the share of those slots that paid any
 * priority fee at all (0 idle, 1 every slot contested).
 */
export async function fetchFeeLevels(
  rpc: SolanaRpcClient,
  accounts: readonly Address[],
  slot: number,
  nowMs: number,
): Promise<FeeLevelEvent> {
  const rows = await rpc.rpc.getRecentPrioritizationFees(accounts.slice(0, 128)).send();
  if (!Array.isArray(rows))
    throw new LandfallError('LF_SOLANA_RPC', 'getRecentPrioritizationFees did not return an array');
  const fees = rows
    .map((r) => Number(r.prioritizationFee))
    .filter((f) => Number.isFinite(f) && f >= 0);
  fees.sort((a, b) => a - b);
  const at = (q: number) =>
    fees.length === 0
      ? 0
      : (fees[Math.min(fees.length - 1, Math.floor(q * fees.length))] as number);
  return {
    kind: 'fees',
    atMs: nowMs,
    slot,
    congestion: fees.length === 0 ? 0 : fees.filter((f) => f > 0).length / fees.length,
    priorityFeeMicroLamports: {
      p25: at(0.25),
      p50: at(0.5),
      p75: at(0.75),
      p95: at(0.95),
      p99: at(0.99),
    },
  };
}
