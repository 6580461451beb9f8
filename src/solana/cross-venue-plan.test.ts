import {
  type Address,
  appendTransactionMessageInstructions,
  type Blockhash,
  compressTransactionMessageUsingAddressLookupTables,
  createTransactionMessage,
  generateKeyPairSigner,
  getTransactionSize,
  type Instruction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionSigner,
} from '@solana/kit';
import {
  getSetComputeUnitLimitInstruction,
  getSetComputeUnitPriceInstruction,
} from '@solana-program/compute-budget';
import { beforeAll, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { type Submission, type SwapLeg, WSOL_MINT } from '../market/types.js';
import { type LivePool, legMints } from './live-pool.js';
import { venueLookupAddresses } from './lookup-table.js';
import { chainTolerance, guardedMinOut, planSwaps, swapInstructions } from './swap-plan.js';
import { type CrossVenuePools, crossVenuePools } from './testing/cross-venue-fixtures.js';
import {
  MAX_TRANSACTION_BYTES,
  signerCount,
  signV0,
  tipInstruction,
  transactionFee,
} from './transactions.js';
import { fixtureKey } from './venues/raydium-amm-v4/fixture.js';

/**
 * A cycle whose legs cross venues (CP-Swap and AMM v4), planned on exact quotes and built as one
 * v0 transaction with each leg's own venue instruction: amounts chained leg to leg, the profit
 * guard on the last leg, and the transaction compiled through the wallet's lookup table under
 * the packet limit.
 */
const TOLERANCE_BPS = 1;
const TIP = 100_000n;
const PRICE = 50_000n;
const UNIT_LIMIT = 400_000;
const MARGIN = 10_000n;
const TIP_ACCOUNT = fixtureKey(201);
const TABLE = fixtureKey(202);
const LIFETIME = {
  blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi' as Blockhash,
  lastValidBlockHeight: 1_000n,
};
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };

let pools: CrossVenuePools;
let payer: TransactionSigner;
let book: { pool(id: string): undefined; livePool(id: string): LivePool | undefined };

beforeAll(async () => {
  pools = await crossVenuePools();
  payer = await generateKeyPairSigner();
  const byId = new Map<string, LivePool>(
    [pools.cpHigh, pools.cpLow, pools.cpX, pools.ammSol, pools.ammX].map((p) => [p.address, p]),
  );
  book = { pool: () => undefined, livePool: (id) => byId.get(id) };
});

/** The direction on `pool` that spends `mint`. */
function spending(pool: LivePool, mint: Address): SwapLeg['direction'] {
  return pool.mintA === mint ? 'aToB' : 'bToA';
}

/** A cycle from WSOL through `route`, each leg spending what the previous returned. */
function cycle(route: readonly LivePool[], amountIn: bigint): Submission {
  let mint = WSOL_MINT as Address;
  const legs: SwapLeg[] = route.map((pool, i) => {
    const direction = spending(pool, mint);
    mint = legMints(pool, direction)[1];
    return {
      pool: pool.address,
      direction,
      amountIn: i === 0 ? amountIn : 'previous',
      minAmountOut: 0n,
    };
  });
  return {
    id: `cycle-${route.length}`,
    opportunityId: `cycle-${route.length}`,
    module: 'arb',
    route: 'jito',
    legs,
    tipLamports: TIP,
    priorityFeeMicroLamports: PRICE,
    computeUnitLimit: UNIT_LIMIT,
    transactions: 1,
    signatures: 1,
  };
}

/**
 * What each leg must be, computed apart from the planner: the venue's own quote on the chained
 * input (the previous exact output less the tolerance) and its own instruction, the previous
 * leg's minimum being the next leg's input and the last leg's the guard.
 */
async function expectedInstructions(
  route: readonly LivePool[],
  submission: Submission,
  finalMinOut: bigint,
): Promise<Instruction[]> {
  const amounts: bigint[] = [];
  let amount = submission.legs[0]?.amountIn as bigint;
  for (const [i, pool] of route.entries()) {
    amounts.push(amount);
    const q = pool.venue.quote(
      pool.state,
      submission.legs[i]?.direction ?? 'aToB',
      amount,
      CONTEXT,
    );
    if (!q.ok) throw new Error(q.refusal);
    amount = q.amountOut - chainTolerance(q.amountOut, TOLERANCE_BPS);
  }
  return Promise.all(
    route.map((pool, i) =>
      pool.venue.swapInstruction({
        payer,
        pool: pool.address,
        state: pool.state,
        direction: submission.legs[i]?.direction ?? 'aToB',
        amountIn: amounts[i] as bigint,
        minimumAmountOut: i === route.length - 1 ? finalMinOut : (amounts[i + 1] as bigint),
      }),
    ),
  );
}

async function build(route: readonly LivePool[], table: boolean) {
  const submission = cycle(route, 1_000_000_000n);
  const plan = planSwaps(submission, book, TOLERANCE_BPS);
  const tip = [tipInstruction(payer, TIP_ACCOUNT, TIP)];
  const probe = await swapInstructions(plan, payer, 0n);
  const fee = transactionFee(signerCount(payer.address, [...probe, ...tip]), UNIT_LIMIT, PRICE);
  const finalMinOut = guardedMinOut(plan, TIP + fee + MARGIN);
  const swaps = await swapInstructions(plan, payer, finalMinOut);
  const lookup = table ? { [TABLE]: await venueLookupAddresses(route, payer.address) } : undefined;
  const signed = await signV0(payer, LIFETIME, UNIT_LIMIT, PRICE, [...swaps, ...tip], lookup);
  return { submission, plan, fee, finalMinOut, swaps, signed };
}

/** The route's transaction compiled against the table whatever its size (signV0 uses it only over the limit). */
async function withTable(route: readonly LivePool[]): Promise<number> {
  const { swaps } = await build(route, false);
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(LIFETIME, m),
    (m) =>
      appendTransactionMessageInstructions(
        [
          getSetComputeUnitLimitInstruction({ units: UNIT_LIMIT }),
          getSetComputeUnitPriceInstruction({ microLamports: PRICE }),
          ...swaps,
          tipInstruction(payer, TIP_ACCOUNT, TIP),
        ],
        m,
      ),
  );
  const table = { [TABLE]: await venueLookupAddresses(route, payer.address) };
  return getTransactionSize(
    await signTransactionMessageWithSigners(
      compressTransactionMessageUsingAddressLookupTables(message, table),
    ),
  );
}

/** The wire size without a table, read from the refusal (it names the size). */
async function staticSize(route: readonly LivePool[]): Promise<number> {
  try {
    return (await build(route, false)).signed.bytes;
  } catch (err) {
    if (!isLandfallError(err, 'LF_MARKET_CONDITION')) throw err;
    return Number(/is (\d+) bytes/.exec(err.message)?.[1]);
  }
}

describe('a cycle across venues, one v0 transaction through the lookup table', () => {
  it('2 hops, AMM v4 then CP-Swap: each leg is its venue instruction on chained exact amounts, the last guarded', async () => {
    const route = [pools.ammSol, pools.cpLow];
    const { submission, plan, fee, finalMinOut, swaps, signed } = await build(route, true);
    expect(plan.legs.map((l) => l.pool.venue.name)).toEqual(['raydium-amm-v4', 'raydium-cp']);
    expect(swaps).toEqual(await expectedInstructions(route, submission, finalMinOut));
    expect(finalMinOut).toBe(plan.amountIn + TIP + fee + MARGIN);
    expect(plan.expectedOut).toBeGreaterThan(finalMinOut);
    expect(signed.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    expect(signed.lookupTable === null || signed.lookupTable === TABLE).toBe(true);
  });

  it('3 hops, CP-Swap → AMM v4 → CP-Swap through a third mint: one transaction under 1 232 bytes', async () => {
    const route = [pools.cpHigh, pools.ammX, pools.cpX];
    const { submission, plan, fee, finalMinOut, swaps, signed } = await build(route, true);
    expect(plan.legs.map((l) => l.pool.venue.name)).toEqual([
      'raydium-cp',
      'raydium-amm-v4',
      'raydium-cp',
    ]);
    expect(swaps).toEqual(await expectedInstructions(route, submission, finalMinOut));
    // The profit guard: the last leg must return the input, the tip, the fee and the margin.
    expect(finalMinOut).toBe(1_000_000_000n + TIP + fee + MARGIN);
    expect(plan.expectedOut).toBeGreaterThan(finalMinOut);
    expect(signed.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    const table = await withTable(route);
    expect(table).toBeLessThan(signed.bytes);
    console.info(
      `3-hop cross-venue cycle: ${signed.bytes} bytes static, ${table} through the table`,
    );
  });

  it('5 hops across both venues fit only through the table', async () => {
    const route = [pools.cpHigh, pools.ammX, pools.cpX, pools.ammSol, pools.cpLow];
    const { submission, plan, fee, finalMinOut, swaps, signed } = await build(route, true);
    expect(swaps).toEqual(await expectedInstructions(route, submission, finalMinOut));
    expect(finalMinOut).toBe(1_000_000_000n + TIP + fee + MARGIN);
    expect(plan.expectedOut).toBeGreaterThan(finalMinOut);
    const staticBytes = await staticSize(route);
    expect(staticBytes).toBeGreaterThan(MAX_TRANSACTION_BYTES);
    expect(signed.lookupTable).toBe(TABLE);
    expect(signed.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    console.info(
      `5-hop cross-venue cycle: ${staticBytes} bytes static, ${signed.bytes} through the table`,
    );
  });

  it('a chain whose legs do not meet mint to mint is refused before anything is built', () => {
    const broken = cycle([pools.ammSol, pools.cpX], 1_000_000_000n);
    expect(() => planSwaps(broken, book, TOLERANCE_BPS)).toThrow(
      /spends .*, but the previous leg returns/,
    );
  });

  it('refuses a transaction that cannot fit even through the table, naming its size', async () => {
    // Forty legs: past the limit even with every account but the signer and programs looked up.
    const route = Array.from({ length: 20 }, () => [pools.ammSol, pools.cpLow]).flat();
    const err = await build(route, true).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isLandfallError(err, 'LF_MARKET_CONDITION')).toBe(true);
    expect((err as Error).message).toMatch(
      /transaction of 41 instructions is \d+ bytes, over the 1232-byte packet limit even through lookup table/,
    );
  });
});
