import {
  type Address,
  type Blockhash,
  getAddressEncoder,
  type TransactionSigner,
} from '@solana/kit';
import { expect } from 'vitest';
import { type Submission, type SwapDirection, WSOL_MINT } from '../../market/types.js';
import { liveConfigSchema } from '../config.js';
import { cpLivePool, type LivePool } from '../live-pool.js';
import { venueLookupAddresses } from '../lookup-table.js';
import { encodePoolState, encodeTokenAccount } from '../raydium-cp-layout.js';
import type { RaydiumCpPool } from '../raydium-cp-pool.js';
import { chainTolerance, guardedMinOut, planSwaps, swapInstructions } from '../swap-plan.js';
import { TOKEN_PROGRAM } from '../token-2022.js';
import {
  MAX_TRANSACTION_BYTES,
  signerCount,
  signV0,
  tipInstruction,
  transactionFee,
} from '../transactions.js';
import { poolVenues } from '../venues/live.js';
import {
  AMM_AUTHORITY,
  ammInfoBytes,
  fixtureKey,
  USDC_MINT,
} from '../venues/raydium-amm-v4/fixture.js';
import { raydiumAmmV4 } from '../venues/raydium-amm-v4/venue.js';
import type { ChainContext, LiveVenue } from '../venues/venue.js';
import { WatchedPools } from '../watched-pools.js';
import { encodeMint } from './mint-fixtures.js';
import { buildPool, dislocatedPools, modelOf } from './pool-fixtures.js';

/**
 * Pools of two venues that chain into cycles, for the cross-venue plan and transaction tests:
 * the CP-Swap fixture pools (WSOL/USDC at $145, 1 %, and one at $140 whose USDC side is swapped
 * for a third mint X, so a cycle can close through it), and AMM v4 pools built from the venue's
 * byte-for-byte AmmInfo fixture with their keys and mints patched at the layout's offsets
 * (coin vault 336, pc vault 368, coin mint 400, pc mint 432).
 */
export const X_MINT = fixtureKey(77);
const WSOL = WSOL_MINT as Address;
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };
const addressEncoder = getAddressEncoder();

export interface AmmV4Spec {
  readonly address: Address;
  readonly coinMint: Address;
  readonly pcMint: Address;
  readonly coin: bigint;
  readonly pc: bigint;
}

/** An AMM v4 pool's accounts (AmmInfo, coin vault, pc vault), no PnL owed, 0.25 % fee. */
export function ammV4Accounts(spec: AmmV4Spec, tag: number): Map<Address, Uint8Array> {
  const info = ammInfoBytes({ needTakePnl: [0n, 0n] });
  const coinVault = fixtureKey(tag);
  const pcVault = fixtureKey(tag + 1);
  const key = (at: number, a: Address) => info.set(addressEncoder.encode(a), at);
  key(336, coinVault);
  key(368, pcVault);
  key(400, spec.coinMint);
  key(432, spec.pcMint);
  const vault = (mint: Address, amount: bigint) =>
    encodeTokenAccount({ mint, owner: AMM_AUTHORITY, amount });
  return new Map([
    [spec.address, info],
    [coinVault, vault(spec.coinMint, spec.coin)],
    [pcVault, vault(spec.pcMint, spec.pc)],
  ]);
}

/** The live pool `venue` decodes at `pool` from `accounts`, its mints as the venue's snapshot names them. */
export function venueLivePool(
  venue: LiveVenue,
  pool: Address,
  accounts: ReadonlyMap<Address, Uint8Array>,
  context: ChainContext = CONTEXT,
): LivePool {
  const state = venue.decode(pool, (a) => accounts.get(a), context);
  const s = venue.snapshot(pool, state);
  return {
    address: pool,
    venue,
    state,
    context,
    mintA: s.mintA as Address,
    mintB: s.mintB as Address,
  };
}

export function ammV4LivePool(accounts: ReadonlyMap<Address, Uint8Array>, pool: Address): LivePool {
  return venueLivePool(raydiumAmmV4, pool, accounts);
}

/** The epoch schedule the live-venue tests' books run under. */
export const LIVE_SCHEDULE = {
  slotsPerEpoch: 432_000n,
  firstNormalEpoch: 14n,
  firstNormalSlot: 524_256n,
  warmup: true,
};

/** A book watching the one pool `address` of `venue`, named as `live.pools` names it. */
export function liveVenueBook(address: Address, venue: string): WatchedPools {
  const live = liveConfigSchema.parse({ pools: [{ address, venue }] });
  const book = new WatchedPools(
    live.pools.map((p) => p.address as Address),
    live.timeouts.staleAfterMs,
    poolVenues(live.pools),
  );
  book.useEpochSchedule(LIVE_SCHEDULE);
  return book;
}

/** A CP-Swap WSOL/USDC pool at $160 (0.25 %): above the $150 venue fixtures, so CP → venue pays. */
export async function cpLivePoolAt160(): Promise<LivePool> {
  return cpLivePool(
    modelOf(
      await buildPool({
        configIndex: 3,
        tradeFeeRate: 2_500n,
        wsol: 2_000_000_000_000n,
        usdc: 320_000_000_000n,
      }),
    ),
  );
}

/** What a two-leg cycle test pays and asks: tolerance, tip, priority price, unit limit, margin. */
export const CYCLE = {
  toleranceBps: 1,
  tip: 100_000n,
  price: 50_000n,
  unitLimit: 400_000,
  margin: 10_000n,
  lifetime: {
    blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi' as Blockhash,
    lastValidBlockHeight: 1_000n,
  },
} as const;

export interface CycleLeg {
  readonly pool: LivePool;
  readonly direction: SwapDirection;
}

/** A Jito submission of two chained legs, `amountIn` into the first, at CYCLE's tip and price. */
export function twoLegSubmission(
  id: string,
  first: CycleLeg,
  second: CycleLeg,
  amountIn: bigint,
): Submission {
  return {
    id,
    opportunityId: id,
    module: 'arb',
    route: 'jito',
    legs: [
      { pool: first.pool.address, direction: first.direction, amountIn, minAmountOut: 0n },
      {
        pool: second.pool.address,
        direction: second.direction,
        amountIn: 'previous',
        minAmountOut: 0n,
      },
    ],
    tipLamports: CYCLE.tip,
    priorityFeeMicroLamports: CYCLE.price,
    computeUnitLimit: CYCLE.unitLimit,
    transactions: 1,
    signatures: 1,
  };
}

export interface CpVenueCycle {
  /** The submission's id. */
  readonly id: string;
  readonly cp: LivePool;
  readonly other: LivePool;
  /** The name the plan must give the second leg's venue. */
  readonly venueName: string;
  readonly payer: TransactionSigner;
  /** The clock the two quotes are checked under. */
  readonly context?: ChainContext;
}

/**
 * Plans the cycle CP-Swap (1 SOL in) → `other` (buying WSOL back, `bToA`: its A is WSOL) and
 * checks it apart from the planner: the CP quote, less the tolerance, is the second leg's input
 * and the CP leg's minimum; the second leg's minimum is the guard (tip + fee + margin over the
 * input); the legs are CP-Swap's and `venueName`'s, each its venue's own instruction; the
 * signed v0 transaction fits. Returns the plan, the swaps and the signed size for the caller's
 * venue-specific checks.
 */
export async function expectCpVenueCycle({
  id,
  cp,
  other,
  venueName,
  payer,
  context = CONTEXT,
}: CpVenueCycle) {
  const byId = new Map([cp, other].map((p) => [p.address as string, p]));
  const book = { pool: () => undefined, livePool: (key: string) => byId.get(key) };
  const amountIn = 1_000_000_000n;
  const cpDirection = cp.mintA === WSOL_MINT ? 'aToB' : 'bToA';
  const submission = twoLegSubmission(
    id,
    { pool: cp, direction: cpDirection },
    { pool: other, direction: 'bToA' },
    amountIn,
  );
  const plan = planSwaps(submission, book, CYCLE.toleranceBps);
  expect(plan.legs.map((l) => l.pool.venue.name)).toEqual(['raydium-cp', venueName]);
  const tip = [tipInstruction(payer, fixtureKey(201), CYCLE.tip)];
  const probe = await swapInstructions(plan, payer, 0n);
  const fee = transactionFee(
    signerCount(payer.address, [...probe, ...tip]),
    CYCLE.unitLimit,
    CYCLE.price,
  );
  const finalMinOut = guardedMinOut(plan, CYCLE.tip + fee + CYCLE.margin);
  const swaps = await swapInstructions(plan, payer, finalMinOut);

  const q = cp.venue.quote(cp.state, cpDirection, amountIn, context);
  if (!q.ok) throw new Error(q.refusal);
  const middle = q.amountOut - chainTolerance(q.amountOut, CYCLE.toleranceBps);
  const back = other.venue.quote(other.state, 'bToA', middle, context);
  if (!back.ok) throw new Error(back.refusal);
  expect(swaps).toEqual([
    await cp.venue.swapInstruction({
      payer,
      pool: cp.address,
      state: cp.state,
      direction: cpDirection,
      amountIn,
      minimumAmountOut: middle,
    }),
    await other.venue.swapInstruction({
      payer,
      pool: other.address,
      state: other.state,
      direction: 'bToA',
      amountIn: middle,
      minimumAmountOut: finalMinOut,
    }),
  ]);
  expect(finalMinOut).toBe(amountIn + CYCLE.tip + fee + CYCLE.margin);
  expect(plan.expectedOut).toBe(back.amountOut);
  expect(plan.expectedOut).toBeGreaterThan(finalMinOut);
  const table = fixtureKey(202);
  const signed = await signV0(
    payer,
    CYCLE.lifetime,
    CYCLE.unitLimit,
    CYCLE.price,
    [...swaps, ...tip],
    { [table]: await venueLookupAddresses([cp, other], payer.address) },
  );
  expect(signed.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
  return { plan, swaps, bytes: signed.bytes };
}

/** A CP-Swap pool at `address` with its USDC side traded for `mint` (its other keys as built). */
export function withMint(pool: RaydiumCpPool, address: Address, mint: Address): RaydiumCpPool {
  const s = pool.state;
  return {
    ...pool,
    address,
    state: {
      ...s,
      token0Mint: s.token0Mint === USDC_MINT ? mint : s.token0Mint,
      token1Mint: s.token1Mint === USDC_MINT ? mint : s.token1Mint,
    },
  };
}

export interface CrossVenuePools {
  /** CP-Swap WSOL/USDC at $145, 1 % fee. */
  readonly cpHigh: LivePool;
  /** CP-Swap WSOL/X at 140 X per SOL, 0.25 %. */
  readonly cpX: LivePool;
  /** AMM v4 WSOL/USDC at $162 (coin WSOL). */
  readonly ammSol: LivePool;
  /** AMM v4 X/USDC at 1:1 (coin X). */
  readonly ammX: LivePool;
  /** CP-Swap WSOL/USDC at $140, 0.25 %. */
  readonly cpLow: LivePool;
  /** Every account of the AMM v4 pools. */
  readonly ammAccounts: Map<Address, Uint8Array>;
  /** Every account of the CP-Swap pools (cpX shares cpLow's vaults and config), and the X mint. */
  readonly cpAccounts: Map<Address, Uint8Array>;
}

export async function crossVenuePools(): Promise<CrossVenuePools> {
  const [low, high] = await dislocatedPools();
  const ammSolAccounts = ammV4Accounts(
    {
      address: fixtureKey(41),
      coinMint: WSOL,
      pcMint: USDC_MINT,
      coin: 10_000_000_000_000n,
      pc: 1_620_000_000_000n,
    },
    42,
  );
  const ammXAccounts = ammV4Accounts(
    {
      address: fixtureKey(51),
      coinMint: X_MINT,
      pcMint: USDC_MINT,
      coin: 5_000_000_000_000n,
      pc: 5_000_000_000_000n,
    },
    52,
  );
  const cpX = withMint(modelOf(low), fixtureKey(61), X_MINT);
  const cpAccounts = new Map([
    ...low.accounts,
    ...high.accounts,
    [cpX.address, encodePoolState(cpX.state)],
    [X_MINT, encodeMint({ program: TOKEN_PROGRAM, decimals: 6 })],
  ]);
  return {
    cpHigh: cpLivePool(modelOf(high)),
    cpLow: cpLivePool(modelOf(low)),
    cpX: cpLivePool(cpX),
    ammSol: ammV4LivePool(ammSolAccounts, fixtureKey(41)),
    ammX: ammV4LivePool(ammXAccounts, fixtureKey(51)),
    ammAccounts: new Map([...ammSolAccounts, ...ammXAccounts]),
    cpAccounts,
  };
}
