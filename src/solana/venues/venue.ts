import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import type { CurveContext, CurveMaths, CurveQuote, CurveRefusal } from '../../market/curve.js';
import type { PoolSnapshot, SwapDirection } from '../../market/types.js';

/**
 * One on-chain swap program, as Landfall reads, prices and trades it. Each venue lives in its own
 * folder under src/solana/venues and implements this; nothing outside that folder names its
 * layouts or its maths, so adding a venue touches nothing else.
 *
 * Rules every venue keeps:
 * - Amounts are u64 atomic units as bigint. Maths are the program's own integer maths (widths,
 *   rounding, fees), so a quote is what the transaction pays, not an estimate.
 * - Direction is in the pool's own token order: `aToB` spends the pool's first token (token 0,
 *   coin, token A: whatever the program calls its first side) and receives the second.
 * - `quote` never throws on pool state: where the program would fail the transaction (a refused
 *   status, an overflow, an unwrap, a zero output) it returns `{ ok: false }` naming the
 *   program's error, and `apply` is only defined on an `ok` quote.
 * - States are immutable values: `apply` returns a new state and leaves its argument unchanged.
 * - Decoding bytes that are not the account expected throws `LF_SOLANA_ACCOUNT_DECODE`, naming
 *   the account.
 */
export interface Venue<State, Q extends QuoteOk = QuoteOk> extends CurveMaths<State> {
  /** Stable name, as `PoolSnapshot.venue` carries it. */
  readonly name: string;
  readonly programAddress: Address;
  /**
   * Every account the pool's state is decoded from, the pool's own first: what a live source
   * subscribes to. Read from the pool account alone (its vaults, configs, tick arrays…).
   */
  watchedAccounts(pool: Address, poolData: Uint8Array): readonly Address[];
  /** The pool's state from the current bytes of each of its `watchedAccounts`. */
  decode(pool: Address, accounts: AccountReader, context: ChainContext): State;
  /** Exact-in swap: what the payer receives for `amountIn`, as the program computes it. */
  quote(
    state: State,
    direction: SwapDirection,
    amountIn: bigint,
    context: ChainContext,
  ): Q | QuoteRefused;
  /** The pool after the quoted swap lands, as the program leaves it. */
  apply(state: State, quote: Q, context: ChainContext): State;
  /** The program's exact-in swap instruction, its accounts in the program's order. */
  swapInstruction(input: SwapInstructionInput<State>): Promise<Instruction>;
  /**
   * The pool as the engine's snapshot shows it (without `curve`): its two mints in the venue's
   * order, its virtual reserves at the current price and its fee in basis points. Optional only
   * so a venue can be written before it is traded live: the live registry
   * (src/solana/venues/live.ts) takes only venues that have it.
   */
  snapshot?(pool: Address, state: State): VenueSnapshot;
  /**
   * The program's custom error for an output below `minimum_amount_out`: a revert the live path
   * counts as slippage (the pool moved), not as a broken transaction.
   */
  readonly exceededSlippageError?: number;
}

/** A venue the live source can watch and trade: one that describes its pools as snapshots. */
export type LiveVenue<State = unknown, Q extends QuoteOk = QuoteOk> = Venue<State, Q> &
  Required<Pick<Venue<State, Q>, 'snapshot'>>;

/** A pool's snapshot as its venue describes it; the live source adds `curve`. */
export type VenueSnapshot = Omit<PoolSnapshot, 'curve'>;

/** The current data of an account, or undefined where the caller has none. */
export type AccountReader = (address: Address) => Uint8Array | undefined;

/** Cluster facts a program reads from its sysvars. */
export type ChainContext = CurveContext;

/** `amountOut` is what `minimum_amount_out` is checked against. */
export type QuoteOk = CurveQuote;

export type QuoteRefused = CurveRefusal;

export type Quote<Q extends QuoteOk = QuoteOk> = Q | QuoteRefused;

export interface SwapInstructionInput<State> {
  readonly payer: TransactionSigner;
  readonly pool: Address;
  readonly state: State;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly minimumAmountOut: bigint;
}

export const U64_MAX = (1n << 64n) - 1n;
