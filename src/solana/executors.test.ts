import {
  type Address,
  generateKeyPairSigner,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
} from '@solana/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory.js';
import { TypedBus } from '../bus/typed.js';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import type { Submission } from '../market/types.js';
import { DirectExecutor } from './direct-executor.js';
import { JitoExecutor } from './jito-executor.js';
import { ACTIVE, poolLookupAddresses } from './lookup-table.js';
import type { RaydiumCpPool } from './raydium-cp-pool.js';
import { SAFETY_SOURCE } from './safety.js';
import { type Testbed, testbed, until } from './testing/testbed.js';
import {
  BUILTIN_UNITS,
  type DecodedInstruction,
  decodeWire,
  feeOf,
  SWAP_UNITS,
  SYSTEM_PROGRAM,
} from './testing/wire.js';
import { sizedUnitLimit } from './transactions.js';

/**
 * The executors against the local JSON-RPC cluster: what goes on the wire (bundle shape, send
 * options, compute budget), how statuses map to outcomes, and what errors, 429s and the safety
 * limits do. Fees are checked against the cluster's own decoding of the signed bytes.
 */
let bed: Testbed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function started(options: Parameters<typeof testbed>[0] = {}): Promise<Testbed> {
  const extra = { tipFloorPollMs: 3_600_000, priorityFeePollMs: 3_600_000, ...options.extra };
  bed = await testbed({ ...options, extra });
  await bed.stack.source.start(() => undefined);
  const b = bed;
  // The feeds poll once at start; let that finish so the cluster's counters are the executor's.
  await until(() => b.stack.source.stats.feedPolls >= 2, 'the first tip-floor and fee polls');
  return bed;
}

let seq = 0;
function arb(
  b: Testbed,
  route: 'jito' | 'direct',
  overrides: Partial<Submission> = {},
): Submission {
  const [low, high] = b.pools;
  const id = `t-${seq++}`;
  return {
    id,
    opportunityId: id,
    module: 'arb',
    route,
    // Sell SOL where it is dear (1 %, $145), buy it back where it is cheap (0.25 %, $140).
    legs: [
      {
        pool: high.address,
        direction: 'aToB',
        amountIn: 1_000_000_000n,
        minAmountOut: 143_000_000n,
      },
      { pool: low.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 1_015_000_000n },
    ],
    tipLamports: route === 'jito' ? 250_000n : 0n,
    priorityFeeMicroLamports: route === 'jito' ? 0n : 40_000n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
    ...overrides,
  };
}

function jito(b: Testbed): JitoExecutor {
  return new JitoExecutor({
    pipeline: b.stack.pipeline,
    blockEngine: b.stack.blockEngine,
    landingMs: 5_000,
    pollMs: 20,
  });
}
function direct(b: Testbed, landingMs = 5_000): DirectExecutor {
  return new DirectExecutor({ pipeline: b.stack.pipeline, landingMs, pollMs: 20 });
}

describe('Jito executor', () => {
  it('sends one transaction, tip last, as a bundle of one and books the landed transaction exactly', async () => {
    const b = await started();
    b.cluster.swapGainLamports = 31_000_000n;
    const s = arb(b, 'jito');
    const outcome = await jito(b).submit(s);
    const bundle = b.cluster.sent
      .filter((t) => t.via === 'sendBundle')
      .map((t) => decodeWire(t.base64));
    expect(bundle).toHaveLength(1);
    const swap = bundle[0] as ReturnType<typeof decodeWire>;
    expect(swap.signatures).toBe(1);
    // The unit limit is the sizing simulation's units plus the margin: budget, 2 swaps, the tip.
    expect(swap.unitLimit).toBe(
      sizedUnitLimit(2 * BUILTIN_UNITS + 2 * SWAP_UNITS, b.config.computeUnitMargin),
    );
    expect(swap.instructions.map((i) => i.program)).toEqual([
      'ComputeBudget111111111111111111111111111111',
      'CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C',
      'CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C',
      SYSTEM_PROGRAM,
    ]);
    const transfer = swap.instructions.at(-1) as DecodedInstruction;
    expect(b.cluster.tipAccounts).toContain(transfer.accounts[1]);
    expect(new DataView(transfer.data.buffer, transfer.data.byteOffset).getBigUint64(4, true)).toBe(
      250_000n,
    );
    const fees = feeOf(swap);
    expect(outcome).toMatchObject({
      landed: true,
      route: 'jito',
      failure: null,
      tipLamports: 250_000n,
      feeLamports: fees,
    });
    expect(outcome.profitLamports).toBe(31_000_000n - fees - 250_000n);
    expect(outcome.slot).toBeGreaterThan(0);
    expect(b.cluster.leaders).toContain(outcome.leader);
    // The executor timed the sendBundle itself (the agent's send_p99 reads it).
    expect(outcome.sendLatencyMs).toBeGreaterThanOrEqual(0);
    const stages = b.stack.pipeline.latency.summary();
    for (const stage of ['build', 'sign', 'send', 'firstStatus', 'final'] as const)
      expect(stages[stage]?.count).toBeGreaterThan(0);
    const methods = b.cluster.requests.map((r) => r.method);
    expect(methods).toContain('getInflightBundleStatuses');
    expect(methods).toContain('getBundleStatuses');
  });

  it('caches the tip accounts and picks among them', async () => {
    const b = await started();
    const ex = jito(b);
    for (let i = 0; i < 3; i++) await ex.submit(arb(b, 'jito'));
    expect(b.cluster.requests.filter((r) => r.method === 'getTipAccounts')).toHaveLength(1);
  });

  it('maps Failed to auction_lost and a bundle that never resolves to expired, both free', async () => {
    const b = await started();
    b.cluster.bundleFate = 'fail';
    expect(await jito(b).submit(arb(b, 'jito'))).toMatchObject({
      landed: false,
      failure: 'auction_lost',
      feeLamports: 0n,
      profitLamports: 0n,
    });
    b.cluster.bundleFate = 'pending';
    const short = new JitoExecutor({
      pipeline: b.stack.pipeline,
      blockEngine: b.stack.blockEngine,
      landingMs: 300,
      pollMs: 20,
    });
    expect(await short.submit(arb(b, 'jito'))).toMatchObject({
      landed: false,
      failure: 'expired',
      feeLamports: 0n,
    });
  });

  it('retries HTTP 429 with backoff, and turns a persistent one into a dropped outcome, not a rejection', async () => {
    const b = await started();
    b.cluster.rateLimitNext(2);
    expect((await jito(b).submit(arb(b, 'jito'))).landed).toBe(true);
    expect(b.stack.rpc.stats.rateLimited + b.stack.blockEngine.rpc.stats.rateLimited).toBe(2);
    b.cluster.rateLimitNext(1_000);
    const outcome = await jito(b).submit(arb(b, 'jito'));
    b.cluster.stopRateLimiting();
    expect(outcome).toMatchObject({ landed: false, failure: 'dropped', feeLamports: 0n });
    expect(b.lines.some((l) => l.includes('still rate limited (HTTP 429)'))).toBe(true);
  });
});

describe('direct executor', () => {
  it('sends base64 without preflight or RPC retries and books the confirmed transaction', async () => {
    const b = await started();
    b.cluster.swapGainLamports = 12_000_000n;
    const outcome = await direct(b).submit(arb(b, 'direct'));
    const send = b.cluster.requests.find((r) => r.method === 'sendTransaction');
    // Kit always names a preflight commitment; skipPreflight makes the node ignore it.
    expect(send?.params[1]).toEqual({
      encoding: 'base64',
      skipPreflight: true,
      maxRetries: 0,
      preflightCommitment: b.config.commitment,
    });
    const tx = decodeWire(send?.params[0] as string);
    expect(tx.microLamports).toBe(40_000n);
    const fee = feeOf(tx);
    expect(fee).toBe(5_000n + (BigInt(tx.unitLimit as number) * 40_000n + 999_999n) / 1_000_000n);
    expect(outcome).toMatchObject({
      landed: true,
      route: 'direct',
      feeLamports: fee,
      profitLamports: 12_000_000n - fee,
      tipLamports: 0n,
    });
    expect(outcome.sendLatencyMs).toBeGreaterThanOrEqual(0);
    expect(
      b.cluster.requests.filter((r) => r.method === 'getSignatureStatuses').length,
    ).toBeGreaterThan(1);
  });

  it('a reverted transaction pays its fee and reports slippage; an unseen one expires free', async () => {
    const b = await started();
    b.cluster.signatureFate = 'revert';
    const reverted = await direct(b).submit(arb(b, 'direct'));
    expect(reverted).toMatchObject({ landed: false, failure: 'slippage' });
    expect(reverted.feeLamports).toBeGreaterThan(0n);
    expect(reverted.profitLamports).toBe(-reverted.feeLamports);
    b.cluster.signatureFate = 'pending';
    expect(await direct(b, 300).submit(arb(b, 'direct'))).toMatchObject({
      failure: 'expired',
      feeLamports: 0n,
    });
  });

  it('skips a transaction over one packet without a lookup table, and sends it compiled against one', async () => {
    const b = await started();
    const [low, high] = b.pools;
    const legs = Array.from({ length: 16 }, (_, i) => ({
      pool: i % 2 === 0 ? high.address : low.address,
      direction: i % 2 === 0 ? ('aToB' as const) : ('bToA' as const),
      amountIn: i === 0 ? 100_000_000n : ('previous' as const),
      minAmountOut: 0n,
    }));
    const skipped = await direct(b).submit(arb(b, 'direct', { legs }));
    expect(skipped).toMatchObject({ landed: false, failure: 'market_condition', feeLamports: 0n });
    expect(b.lines.some((l) => /over the 1232-byte packet limit and no lookup table/.test(l))).toBe(
      true,
    );
    expect(b.cluster.sent).toHaveLength(0);
    const table = (await generateKeyPairSigner()).address;
    const book = b.stack.source.book;
    const pools = [book.pool(high.address), book.pool(low.address)] as RaydiumCpPool[];
    b.stack.lookupTables.load(table, {
      authority: b.wallet.address,
      deactivationSlot: ACTIVE,
      lastExtendedSlot: 0n,
      addresses: await poolLookupAddresses(pools, b.wallet.address),
    });
    const outcome = await direct(b).submit(arb(b, 'direct', { legs }));
    expect(outcome.landed).toBe(true);
    const wire = Buffer.from(b.cluster.sent[0]?.base64 as string, 'base64');
    expect(wire.length).toBeLessThanOrEqual(1_232);
    const message = getCompiledTransactionMessageDecoder().decode(
      getTransactionDecoder().decode(wire).messageBytes,
    ) as { addressTableLookups?: Array<{ lookupTableAddress: Address }> };
    expect(message.addressTableLookups?.map((l) => l.lookupTableAddress)).toEqual([table]);
  });

  it('does not send what the sizing simulation says would revert', async () => {
    const b = await started();
    b.cluster.simulationError = { InstructionError: [2, { Custom: 6005 }] };
    const outcome = await direct(b).submit(arb(b, 'direct'));
    expect(outcome).toMatchObject({ failure: 'slippage', feeLamports: 0n });
    // Nothing was sent, so there is no send latency to count.
    expect(outcome.sendLatencyMs).toBeUndefined();
    expect(b.cluster.sent).toHaveLength(0);
  });
});

describe('safety limits', () => {
  it('refuses over the notional cap, below the balance floor and on a stale pool, sending nothing', async () => {
    const b = await started({
      extra: {
        caps: { maxTradeLamports: 500_000_000, balanceFloorLamports: 1_000_000_000 },
        timeouts: { staleAfterMs: 400 },
      },
    });
    expect((await direct(b).submit(arb(b, 'direct'))).failure).toBe('dropped');
    expect(b.lines.some((l) => l.includes('exceeds live.caps.maxTradeLamports'))).toBe(true);
    const small = {
      legs: arb(b, 'direct').legs.map((l, i) => (i === 0 ? { ...l, amountIn: 100_000_000n } : l)),
    };
    // The floor reads the wallet's own accounts as their subscription reports them: SOL pays
    // the tip and fees, WSOL the first leg.
    const wallet = async (sol: bigint, wsol: bigint) => {
      await b.cluster.fundWallet(b.wallet.address, sol, wsol);
      await until(async () => {
        const s = await b.stack.balance.spendable();
        return s.solLamports === sol && s.wsolLamports === wsol;
      }, 'the wallet update');
    };
    await wallet(1_000_001_000n, 5_000_000_000n);
    expect((await direct(b).submit(arb(b, 'direct', small))).failure).toBe('dropped');
    expect(b.lines.some((l) => l.includes('below live.caps.balanceFloorLamports'))).toBe(true);
    await wallet(50_000_000_000n, 99_999_999n);
    expect((await direct(b).submit(arb(b, 'direct', small))).failure).toBe('dropped');
    expect(b.lines.some((l) => l.includes('WSOL account holds 99999999: wrap more SOL'))).toBe(
      true,
    );
    await wallet(50_000_000_000n, 5_000_000_000n);
    // Read once, then kept by notifications: no balance read per submission.
    expect(b.stack.balance.stats.reads).toBe(1);
    // Two updates after the first read, each announcing both accounts.
    expect(b.stack.balance.stats.notifications).toBeGreaterThanOrEqual(4);
    expect(b.cluster.requests.some((r) => r.method === 'getBalance')).toBe(false);
    // Updates stop: no notifications and every refresh rate limited, so the pools go stale.
    b.cluster.muted = true;
    b.cluster.rateLimitNext(100_000);
    await until(
      () => b.stack.source.book.untradable(b.pools[0].address, Date.now()) !== null,
      'the pool to go stale',
    );
    b.cluster.stopRateLimiting();
    const refused = b.cluster.requests.length;
    expect((await direct(b).submit(arb(b, 'direct', small))).failure).toBe('dropped');
    expect(b.cluster.sent).toHaveLength(0);
    expect(b.lines.some((l) => /stale|subscription dropped/.test(l))).toBe(true);
    expect(b.cluster.requests.length - refused).toBeLessThan(3);
  });

  it('the daily loss limit publishes a KILL on control-proto (source live-safety), audits it and refuses after', async () => {
    const bus = new TypedBus(new MemoryBus());
    const kills: Array<{ action: ControlAction; source: string; issuer: string }> = [];
    const audits: Array<{ action: string; subject: string }> = [];
    await bus.subscribe('control-proto', async (m) => void kills.push(m), { group: 't-control' });
    await bus.subscribe('audit-proto', async (m) => void audits.push(m), { group: 't-audit' });
    const b = await started({
      bus,
      modules: ['arb', 'mev'],
      extra: { caps: { dailyLossLimitLamports: 5_000 } },
    });
    b.cluster.signatureFate = 'revert';
    const first = await direct(b).submit(arb(b, 'direct'));
    expect(first.profitLamports).toBeLessThanOrEqual(-5_000n);
    await until(
      () => kills.length === 2 && audits.length === 2,
      'the kill commands and their audit records',
    );
    expect(
      kills.every(
        (k) =>
          k.action === ControlAction.KILL &&
          k.source === SAFETY_SOURCE &&
          k.issuer === SAFETY_SOURCE,
      ),
    ).toBe(true);
    expect(audits.every((a) => a.action === 'control.kill' && a.subject === SAFETY_SOURCE)).toBe(
      true,
    );
    const sent = b.cluster.sent.length;
    expect((await direct(b).submit(arb(b, 'direct'))).failure).toBe('dropped');
    expect(b.cluster.sent).toHaveLength(sent);
    await bus.bus.close();
  });
});
