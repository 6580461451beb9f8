import { type Address, lamports } from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Submission, type SwapLeg, WSOL_MINT } from '../market/types.js';
import { loadWallet, type Wallet } from './keypair.js';
import { type LivePool, legMints } from './live-pool.js';
import { decodeLookupTable, venueLookupAddresses } from './lookup-table.js';
import { RAYDIUM_CP_PROGRAM } from './raydium-cp-layout.js';
import { associatedTokenAccount } from './raydium-cp-swap.js';
import { guardedMinOut, planSwaps, swapInstructions } from './swap-plan.js';
import { type CrossVenuePools, crossVenuePools, X_MINT } from './testing/cross-venue-fixtures.js';
import { litesvmChain, setRaw } from './testing/litesvm-chain.js';
import { solanaKeypairJson } from './testing/testbed.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { MAX_TRANSACTION_BYTES, signV0, tipInstruction } from './transactions.js';
import { fixtureKey, USDC_MINT } from './venues/raydium-amm-v4/fixture.js';
import { RAYDIUM_AMM_V4_PROGRAM } from './venues/raydium-amm-v4/layout.js';
import { raydiumAmmV4 } from './venues/raydium-amm-v4/venue.js';
import { setupWallet } from './wallet-setup.js';

/**
 * A cross-venue cycle on litesvm (the Agave runtime with the token, associated-token and
 * lookup-table programs built in). Neither Raydium program can be loaded here (no program binary
 * is available offline), so the swaps cannot execute; what runs for real is everything around
 * them: the wallet setup reading an AMM v4 pool through its venue beside CP-Swap pools (ATAs for
 * every mint of both venues, the lookup table extended with both venues' swap accounts), and the
 * 5-hop transaction compiled against that on-chain table, which the runtime loads in full (every
 * looked-up index resolves) and refuses only for the missing program, charging nothing.
 */
const SOL = 1_000_000_000n;
/** `TransactionError::InvalidProgramForExecution`, as litesvm numbers it. */
const INVALID_PROGRAM_FOR_EXECUTION = 12;

let wallet: Wallet;
let svm: LiteSVM;
let pools: CrossVenuePools;

beforeAll(async () => {
  wallet = await loadWallet({ keypairEnv: 'K' }, { K: solanaKeypairJson() });
  svm = new LiteSVM().withNativeMints();
  svm.airdrop(wallet.address, lamports(100n * SOL));
  pools = await crossVenuePools();
  for (const [address, data] of pools.cpAccounts) {
    const owner = [pools.cpHigh, pools.cpLow, pools.cpX].some((p) => p.address === address)
      ? RAYDIUM_CP_PROGRAM
      : TOKEN_PROGRAM;
    if (address !== WSOL_MINT) setRaw(svm, address, owner, data);
  }
  for (const [address, data] of pools.ammAccounts) {
    const owner = [pools.ammSol, pools.ammX].some((p) => p.address === address)
      ? RAYDIUM_AMM_V4_PROGRAM
      : TOKEN_PROGRAM;
    setRaw(svm, address, owner, data);
  }
});

function cycle(route: readonly LivePool[]): Submission {
  let mint = WSOL_MINT as Address;
  const legs: SwapLeg[] = route.map((pool, i) => {
    const direction = pool.mintA === mint ? 'aToB' : 'bToA';
    mint = legMints(pool, direction)[1];
    return {
      pool: pool.address,
      direction,
      amountIn: i === 0 ? SOL : 'previous',
      minAmountOut: 0n,
    };
  });
  return {
    id: 'svm-cross',
    opportunityId: 'svm-cross',
    module: 'arb',
    route: 'jito',
    legs,
    tipLamports: 100_000n,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 600_000,
    transactions: 1,
    signatures: 1,
  };
}

describe('litesvm: a transaction across venues', () => {
  it('the wallet setup covers both venues; the 5-hop compiled against its table loads and fails only for the missing program', async () => {
    const { cpHigh, ammX, cpX, ammSol, cpLow } = pools;
    const route = [cpHigh, ammX, cpX, ammSol, cpLow];
    const report = await setupWallet({
      chain: litesvmChain(svm),
      payer: wallet.signer,
      pools: route.map((p) => p.address),
      venues: new Map([
        [ammX.address, raydiumAmmV4],
        [ammSol.address, raydiumAmmV4],
      ]),
      wsolTargetLamports: 2n * SOL,
    });
    const atas = await Promise.all(
      [WSOL_MINT as Address, USDC_MINT, X_MINT].map((m) =>
        associatedTokenAccount(wallet.address, m, TOKEN_PROGRAM),
      ),
    );
    expect(new Set(report.createdAccounts)).toEqual(new Set(atas));
    const table = report.lookupTable as Address;
    const held = decodeLookupTable(
      new Uint8Array((svm.getAccount(table) as { data: Uint8Array }).data),
      table,
    );
    const wanted = await venueLookupAddresses(route, wallet.address);
    expect(held.addresses).toEqual(expect.arrayContaining(wanted));
    svm.warpToSlot(svm.getClock().slot + 1n);

    const submission = cycle(route);
    const plan = planSwaps(
      submission,
      { pool: () => undefined, livePool: (id) => route.find((p) => p.address === id) },
      1,
    );
    const tip = fixtureKey(201);
    svm.airdrop(tip, lamports(SOL));
    const finalMinOut = guardedMinOut(plan, 100_000n + 10_000n);
    const legs = await swapInstructions(plan, wallet.signer, finalMinOut);
    const tx = await signV0(
      wallet.signer,
      { blockhash: svm.latestBlockhash(), lastValidBlockHeight: 1_000n },
      600_000,
      0n,
      [...legs, tipInstruction(wallet.signer, tip, 100_000n)],
      { [table]: [...held.addresses] },
    );
    expect(tx.lookupTable).toBe(table);
    expect(tx.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    const before = svm.getBalance(wallet.address);
    const result = svm.sendTransaction(tx.transaction);
    expect(result).toBeInstanceOf(FailedTransactionMetadata);
    expect((result as FailedTransactionMetadata).err()).toBe(INVALID_PROGRAM_FOR_EXECUTION);
    expect(svm.getBalance(wallet.address)).toBe(before);
    expect(svm.getBalance(tip)).toBe(SOL);
  });
});
