import {
  type Address,
  generateKeyPairSigner,
  getTransactionDecoder,
  lamports,
  type Transaction,
} from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';
import { FailedTransactionMetadata, LiteSVM, TransactionMetadata } from 'litesvm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JitoExecutor } from './jito-executor.js';
import { loadWallet, type Wallet } from './keypair.js';
import { solanaKeypairJson, type Testbed, testbed, until } from './testing/testbed.js';
import { decodeWire } from './testing/wire.js';
import {
  type Lifetime,
  MAX_COMPUTE_UNITS,
  signV0,
  sizedUnitLimit,
  tipInstruction,
  transactionFee,
} from './transactions.js';

/**
 * Landfall's transactions executed by a real SVM (litesvm: the Agave runtime in-process, with
 * signature verification and the compute-budget and system programs). The Raydium CP-Swap
 * program is not available here (no .so of it can be had offline), so the swap transaction is
 * shown to reach the runtime and be refused for exactly that reason — tip included, since the tip
 * is that transaction's last instruction; everything else Landfall signs — the tip transfer and
 * compute budget + transfers from the same builder — runs, and the balances prove the fees.
 * (litesvm-wallet.test.ts runs the wallet setup, lookup tables and swap-shaped transactions.)
 */
const TIP_UNITS = 1_000;
const SOL = 1_000_000_000n;
/** litesvm's `TransactionErrorFieldless` (a const enum, so not importable here). */
const SIGNATURE_FAILURE = 11;
const INVALID_PROGRAM_FOR_EXECUTION = 12;

function svmWith(funded: Address[]): LiteSVM {
  const svm = new LiteSVM();
  for (const a of funded) svm.airdrop(a, lamports(10n * SOL));
  return svm;
}

function lifetimeOf(svm: LiteSVM): Lifetime {
  return { blockhash: svm.latestBlockhash(), lastValidBlockHeight: 1_000n };
}

function balance(svm: LiteSVM, a: Address): bigint {
  return svm.getBalance(a) ?? 0n;
}

let wallet: Wallet;
beforeAll(async () => {
  wallet = await loadWallet({ keypairEnv: 'K' }, { K: solanaKeypairJson() });
});

describe('litesvm: transactions from the builder', () => {
  it('the tip instruction lands: valid signature, tip lamports arrive, fee as computed', async () => {
    const tip = (await generateKeyPairSigner()).address;
    const svm = svmWith([wallet.address, tip]);
    const before = balance(svm, wallet.address);
    const tx = await signV0(wallet.signer, lifetimeOf(svm), TIP_UNITS, 0n, [
      tipInstruction(wallet.signer, tip, 250_000n),
    ]);
    const result = svm.sendTransaction(tx.transaction);
    expect(result).toBeInstanceOf(TransactionMetadata);
    expect(balance(svm, tip)).toBe(10n * SOL + 250_000n);
    expect(tx.feeLamports).toBe(transactionFee(1, TIP_UNITS, 0n));
    expect(before - balance(svm, wallet.address)).toBe(250_000n + tx.feeLamports);
  });

  it('compute budget from a simulation: the sized limit runs, and the fee is 5000 + ceil(limit × price / 1e6)', async () => {
    const [a, b] = [
      (await generateKeyPairSigner()).address,
      (await generateKeyPairSigner()).address,
    ];
    const svm = svmWith([wallet.address, a, b]);
    const transfers = [
      getTransferSolInstruction({
        source: wallet.signer,
        destination: a,
        amount: lamports(1_234n),
      }),
      getTransferSolInstruction({
        source: wallet.signer,
        destination: b,
        amount: lamports(5_678n),
      }),
    ];
    const price = 1_000_000n;
    const probe = await signV0(wallet.signer, lifetimeOf(svm), MAX_COMPUTE_UNITS, price, transfers);
    const sim = svm.simulateTransaction(probe.transaction);
    expect(sim).not.toBeInstanceOf(FailedTransactionMetadata);
    const units = Number(
      (sim as Exclude<typeof sim, FailedTransactionMetadata>).meta().computeUnitsConsumed(),
    );
    expect(units).toBeGreaterThan(0);
    const limit = sizedUnitLimit(units, 0.15);
    const tx = await signV0(wallet.signer, lifetimeOf(svm), limit, price, transfers);
    const before = balance(svm, wallet.address);
    const result = svm.sendTransaction(tx.transaction);
    expect(result).toBeInstanceOf(TransactionMetadata);
    expect(Number((result as TransactionMetadata).computeUnitsConsumed())).toBeLessThanOrEqual(
      limit,
    );
    const fee = 5_000n + (BigInt(limit) * price + 999_999n) / 1_000_000n;
    expect(tx.feeLamports).toBe(fee);
    expect(before - balance(svm, wallet.address)).toBe(1_234n + 5_678n + fee);
    expect(balance(svm, a)).toBe(10n * SOL + 1_234n);
  });

  it('honours the compute budget: one unit below what it needs fails, and still pays the fee', async () => {
    const a = (await generateKeyPairSigner()).address;
    const svm = svmWith([wallet.address, a]);
    const transfer = [
      getTransferSolInstruction({ source: wallet.signer, destination: a, amount: lamports(777n) }),
    ];
    const probe = await signV0(wallet.signer, lifetimeOf(svm), MAX_COMPUTE_UNITS, 0n, transfer);
    const sim = svm.simulateTransaction(probe.transaction) as Exclude<
      ReturnType<LiteSVM['simulateTransaction']>,
      FailedTransactionMetadata
    >;
    const units = Number(sim.meta().computeUnitsConsumed());
    const price = 3_000_000n;
    const tight = await signV0(wallet.signer, lifetimeOf(svm), units - 1, price, transfer);
    const before = balance(svm, wallet.address);
    const result = svm.sendTransaction(tight.transaction);
    expect(result).toBeInstanceOf(FailedTransactionMetadata);
    expect(String((result as FailedTransactionMetadata).err())).toMatch(
      /ComputationalBudgetExceeded/,
    );
    expect(balance(svm, a)).toBe(10n * SOL);
    expect(before - balance(svm, wallet.address)).toBe(transactionFee(1, units - 1, price));
  });

  it('rejects a transaction whose signature was tampered with, charging nothing', async () => {
    const a = (await generateKeyPairSigner()).address;
    const svm = svmWith([wallet.address, a]);
    const tx = await signV0(wallet.signer, lifetimeOf(svm), TIP_UNITS, 0n, [
      tipInstruction(wallet.signer, a, 5_000n),
    ]);
    const signatures = { ...tx.transaction.signatures };
    const sig = new Uint8Array(signatures[wallet.address] as Uint8Array);
    sig[0] = (sig[0] as number) ^ 0xff;
    const forged = {
      ...tx.transaction,
      signatures: { ...signatures, [wallet.address]: sig },
    } as unknown as Transaction;
    const before = balance(svm, wallet.address);
    const result = svm.sendTransaction(forged as never);
    expect(result).toBeInstanceOf(FailedTransactionMetadata);
    expect((result as FailedTransactionMetadata).err()).toBe(SIGNATURE_FAILURE);
    expect(balance(svm, wallet.address)).toBe(before);
  });
});

describe('litesvm: the bytes the Jito executor sent', () => {
  let bed: Testbed;
  beforeAll(async () => {
    bed = await testbed({ extra: { tipFloorPollMs: 3_600_000, priorityFeePollMs: 3_600_000 } });
    await bed.stack.source.start(() => undefined);
  });
  afterAll(() => bed.close());

  it('the bundle is one transaction, tip last; refused only for the missing program, it pays neither fee nor tip', async () => {
    const [low, high] = bed.pools;
    const executor = new JitoExecutor({
      pipeline: bed.stack.pipeline,
      blockEngine: bed.stack.blockEngine,
      landingMs: 5_000,
      pollMs: 20,
    });
    await executor.submit({
      id: 'svm-1',
      opportunityId: 'svm-1',
      module: 'arb',
      route: 'jito',
      legs: [
        {
          pool: high.address,
          direction: 'aToB',
          amountIn: 500_000_000n,
          minAmountOut: 71_000_000n,
        },
        { pool: low.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 501_000_000n },
      ],
      tipLamports: 123_456n,
      priorityFeeMicroLamports: 0n,
      computeUnitLimit: 150_000,
      transactions: 1,
      signatures: 1,
    });
    await until(() => bed.cluster.sent.length === 1, 'the bundle');
    const [swapWire] = bed.cluster.sent.map((s) => s.base64) as [string];
    const decoded = decodeWire(swapWire);
    expect(decoded.signatures).toBe(1);
    const tip = decoded.instructions.at(-1);
    expect(tip?.program).toBe('11111111111111111111111111111111');
    const tipAccount = tip?.accounts[1] as Address;
    expect(bed.cluster.tipAccounts).toContain(tipAccount);
    const payer = bed.wallet.address;
    // The executor signed against the local cluster's blockhash, unknown to this SVM.
    const svm = new LiteSVM().withBlockhashCheck(false);
    svm.airdrop(payer, lamports(10n * SOL));
    svm.airdrop(tipAccount, lamports(SOL));
    const decode = (b64: string) =>
      getTransactionDecoder().decode(Buffer.from(b64, 'base64')) as never;
    const before = balance(svm, payer);
    const swap = svm.sendTransaction(decode(swapWire));
    expect(swap).toBeInstanceOf(FailedTransactionMetadata);
    expect((swap as FailedTransactionMetadata).err()).toBe(INVALID_PROGRAM_FOR_EXECUTION);
    expect(balance(svm, tipAccount)).toBe(SOL);
    expect(balance(svm, payer)).toBe(before);
  });
});
