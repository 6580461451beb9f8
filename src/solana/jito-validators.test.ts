import { afterEach, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { JitoValidators } from './jito-validators.js';
import { LeaderSchedule } from './leaders.js';
import { createSolanaRpcClient } from './solana-rpc.js';
import { LocalCluster } from './testing/local-cluster.js';

/**
 * Which leaders run Jito, from Jito's validator list (by vote account) joined to the cluster's
 * vote accounts (vote → node identity, the name the leader schedule uses); the fallback answers
 * until the list is read, and the last list read stands when a refresh fails.
 */
let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const VOTE_A = 'Vote111111111111111111111111111111111111111';
const VOTE_B = 'GdRKUZKdiXMEATjddQW6q4W8bPgXRBYJKayfeqdQcEPa';

/** `fallbackPlain`: the configured list names only the leader that does not run Jito. */
async function setup(fallbackPlain = false) {
  const c = await LocalCluster.start();
  cluster = c;
  const [jito, plain] = c.leaders as [string, string];
  c.voteAccounts = [
    { votePubkey: VOTE_A, nodePubkey: jito },
    { votePubkey: VOTE_B, nodePubkey: plain },
  ];
  c.jitoValidators = [
    { vote_account: VOTE_A, running_jito: true },
    { vote_account: VOTE_B, running_jito: false },
  ];
  const errors: Error[] = [];
  const rpc = createSolanaRpcClient({
    url: c.rpcUrl,
    timeoutMs: 5_000,
    rateLimitRetries: 0,
    backoffMs: 10,
  });
  const validators = new JitoValidators({
    rpc,
    url: c.jitoValidatorsUrl,
    timeoutMs: 5_000,
    refreshMs: 3_600_000,
    fallback: fallbackPlain ? { runsJito: (id: string) => id === plain } : undefined,
    onError: (err) => void errors.push(err),
  });
  return { c, rpc, validators, errors, jito, plain };
}

describe('Jito validators', () => {
  it('names the leaders that run Jito by identity, and the leader schedule follows them', async () => {
    const { c, rpc, validators, jito, plain } = await setup();
    // Before the first read: every leader is assumed to (no configured list).
    expect(validators.runsJito(plain)).toBe(true);
    await validators.refresh();
    expect(validators.runsJito(jito)).toBe(true);
    expect(validators.runsJito(plain)).toBe(false);
    expect(validators.stats).toMatchObject({ refreshes: 1, running: 1 });
    const schedule = new LeaderSchedule(rpc, validators);
    // The local schedule gives each leader 4 slots in turn, from slot 0.
    const at = await schedule.at(c.slot - (c.slot % 8));
    expect(at).toMatchObject({ leader: jito, leaderRunsJito: true, nextLeader: plain });
    expect(at.nextLeaderRunsJito).toBe(false);
  });

  it('keeps the configured list until the first read, and the last list when a refresh fails', async () => {
    const { c, validators, errors, jito, plain } = await setup(true);
    expect(validators.runsJito(plain)).toBe(true);
    expect(validators.runsJito(jito)).toBe(false);
    await validators.refresh();
    c.jitoValidators = null;
    await validators.refresh();
    expect(validators.runsJito(jito)).toBe(true);
    expect(validators.stats.failures).toBe(1);
    expect(errors[0]?.message).toContain('HTTP 503');
  });

  it('refuses a body that is not the validator list, naming the config key', async () => {
    const { c, validators, errors } = await setup();
    c.jitoValidators = [{ vote: VOTE_A } as never];
    await validators.refresh();
    expect(isLandfallError(errors[0], 'LF_SOLANA_RPC')).toBe(true);
    expect(errors[0]?.message).toContain('live.jitoValidatorsUrl');
  });
});
