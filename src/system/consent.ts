import { LandfallError } from '../errors.js';

/** The market agents trade on: the simulator, Solana, or Solana with nothing ever sent. */
export type MarketMode = 'paper' | 'live' | 'dry-run';

export interface MarketFlags {
  readonly live?: boolean;
  readonly dryRun?: boolean;
}

/**
 * Live trading needs two explicit consents: `mode: live` in the config and `--live` on the
 * command line; either alone is refused, and `--dry-run` only makes sense with `--live`. One
 * rule and one code (LF_LIVE_CONSENT) for every command that runs agents.
 */
export function marketModeOf(configMode: 'paper' | 'live', flags: MarketFlags): MarketMode {
  const refuse = (why: string): never => {
    throw new LandfallError('LF_LIVE_CONSENT', why);
  };
  if (flags.dryRun && !flags.live) refuse('--dry-run applies to live mode: pass --live --dry-run');
  if (flags.live && configMode !== 'live') {
    refuse(
      `--live given but the config says mode: ${configMode}; set mode: live and name the live.* endpoints`,
    );
  }
  if (!flags.live && configMode === 'live') {
    refuse(
      'mode: live trades real money: pass --live to confirm (or --live --dry-run to simulate)',
    );
  }
  if (!flags.live) return 'paper';
  return flags.dryRun ? 'dry-run' : 'live';
}
