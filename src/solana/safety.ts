import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { AuditLedger } from '../audit/ledger.js';
import type { ControlSigner } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import { ControlAction, ControlCommandSchema } from '../gen/landfall/v1/control_pb.js';
import type { Logger } from '../log.js';
import type { Clock, Module, Submission, SubmissionOutcome } from '../market/types.js';
import { WSOL_MINT } from '../market/types.js';
import { toProtoModule } from '../proto/module.js';
import type { LiveConfig } from './config.js';
import { legMints } from './live-pool.js';
import type { Spendable } from './wallet-balance.js';
import type { PoolDirectory } from './watched-pools.js';

/**
 * The limits a live wallet trades under, checked before anything is built or sent:
 * - every pool a submission touches is tradable (watched, fully read, not stale);
 * - the first leg's input is within `caps.maxTradeLamports`;
 * - the wallet can pay what the trade spends, read where it is spent: its WSOL account holds a
 *   WSOL-denominated first leg's input, and its SOL — which pays fees and the tip — keeps
 *   `caps.balanceFloorLamports` after them;
 * - the realised loss of the current UTC day is below `caps.dailyLossLimitLamports`. Crossing it
 *   trips the kill switch: a ControlCommand KILL on control-proto (source "live-safety") for each
 *   module, audited through the ledger, and this gate refuses from then on by itself, so the
 *   stop does not depend on the bus round trip.
 */
export const SAFETY_SOURCE = 'live-safety';

export interface SafetyOptions {
  readonly caps: LiveConfig['caps'];
  readonly pools: PoolDirectory;
  readonly clock: Clock;
  readonly log: Logger;
  /** The wallet's SOL and WSOL as last seen (`wallet-balance.ts`: its own subscription). */
  readonly spendable: () => Promise<Spendable>;
  /** Where the kill goes; absent only in tests of the checks alone. */
  readonly bus?: TypedBus;
  /** Signs the kill (bus.control): agents obey only signed commands. Required with `bus`. */
  readonly signer?: ControlSigner;
  readonly modules: readonly Module[];
}

const DAY_MS = 86_400_000;

export class SafetyGate {
  readonly stats = { refused: 0, killed: false };
  private day = -1;
  private dayPnl = 0n;
  private tripping: Promise<void> | undefined;

  constructor(private readonly options: SafetyOptions) {}

  get dayProfitLamports(): bigint {
    return this.dayPnl;
  }

  /** Why `submission` must not go out, or null when it may. */
  async refusal(submission: Submission, feeLamports: bigint): Promise<string | null> {
    const reason = await this.check(submission, feeLamports);
    if (reason !== null) {
      this.stats.refused++;
      this.options.log.warn(
        { submission: submission.id, reason },
        'live safety refused a submission',
      );
    }
    return reason;
  }

  private async check(submission: Submission, feeLamports: bigint): Promise<string | null> {
    const { caps, pools, clock } = this.options;
    if (this.stats.killed)
      return `killed: daily loss limit of ${caps.dailyLossLimitLamports} lamports reached`;
    const now = clock.now();
    for (const leg of submission.legs) {
      const why = pools.untradable(leg.pool, now);
      if (why !== null) return why;
    }
    const first = submission.legs[0];
    if (
      first !== undefined &&
      first.amountIn !== 'previous' &&
      first.amountIn > BigInt(caps.maxTradeLamports)
    ) {
      return `notional ${first.amountIn} lamports exceeds live.caps.maxTradeLamports ${caps.maxTradeLamports}`;
    }
    const { solLamports, wsolLamports } = await this.options.spendable();
    const after = solLamports - submission.tipLamports - feeLamports;
    if (after < BigInt(caps.balanceFloorLamports)) {
      return `wallet SOL ${solLamports} lamports would fall to ${after} after tip and fees, below live.caps.balanceFloorLamports ${caps.balanceFloorLamports}`;
    }
    const wsolIn = this.wsolInput(submission);
    if (wsolIn > wsolLamports) {
      return `the first leg spends ${wsolIn} WSOL lamports and the wallet's WSOL account holds ${wsolLamports}: wrap more SOL`;
    }
    return null;
  }

  /** What the first leg takes from the wallet's WSOL account: its input when it sells WSOL. */
  private wsolInput(submission: Submission): bigint {
    const first = submission.legs[0];
    if (first === undefined || first.amountIn === 'previous') return 0n;
    const pool = this.options.pools.livePool(first.pool);
    if (pool === undefined) return 0n;
    return legMints(pool, first.direction)[0] === WSOL_MINT ? first.amountIn : 0n;
  }

  /** Books a decided outcome into the day's P&L; trips the kill switch at the limit. */
  record(outcome: SubmissionOutcome): Promise<void> {
    const day = Math.floor(outcome.atMs / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.dayPnl = 0n;
    }
    this.dayPnl += outcome.profitLamports;
    const limit = BigInt(this.options.caps.dailyLossLimitLamports);
    if (-this.dayPnl >= limit && !this.stats.killed) {
      this.stats.killed = true;
      this.tripping = this.trip(-this.dayPnl, limit);
    }
    return this.tripping ?? Promise.resolve();
  }

  private async trip(loss: bigint, limit: bigint): Promise<void> {
    const { bus, signer, clock, log, modules } = this.options;
    const reason = `daily loss ${loss} lamports reached live.caps.dailyLossLimitLamports ${limit}`;
    log.error(
      { lossLamports: loss.toString(), limitLamports: limit.toString() },
      'live safety: daily loss limit reached; killing agents',
    );
    if (bus === undefined) return;
    const ledger = new AuditLedger(bus, () => clock.now());
    for (const module of modules) {
      const unsigned = create(ControlCommandSchema, {
        commandId: randomUUID(),
        action: ControlAction.KILL,
        module: toProtoModule(module),
        issuer: SAFETY_SOURCE,
        reason,
        tsMs: BigInt(Math.round(clock.now())),
        source: SAFETY_SOURCE,
      });
      // Without a signer the agents refuse the kill; this gate still refuses by itself.
      const command = signer === undefined ? unsigned : signer.sign(unsigned);
      let result: 'ok' | 'error' = 'ok';
      try {
        await bus.publish('control-proto', command);
      } catch (err) {
        result = 'error';
        log.error(
          { err: (err as Error).message, module },
          'live safety: publishing the kill failed; this gate still refuses',
        );
      }
      await ledger.record({
        subject: SAFETY_SOURCE,
        role: 'service',
        action: 'control.kill',
        params: { commandId: command.commandId, module, lossLamports: loss, limitLamports: limit },
        result,
        detail: reason,
      });
    }
  }
}
