import {
  AccountRole,
  type Address,
  type AddressesByLookupTableAddress,
  generateKeyPairSigner,
  getAddressEncoder,
  type Instruction,
  lamports,
} from '@solana/kit';
import {
  getCreateAssociatedTokenIdempotentInstruction,
  getMintToInstruction,
  getTransferCheckedInstruction,
  getTransferInstruction,
} from '@solana-program/token';
import { FailedTransactionMetadata, LiteSVM, TransactionMetadata } from 'litesvm';
import { beforeAll, describe, expect, it } from 'vitest';
import { WSOL_MINT } from '../market/types.js';
import { loadWallet, type Wallet } from './keypair.js';
import { decodeLookupTable } from './lookup-table.js';
import { encodePoolState, RAYDIUM_CP_PROGRAM, tokenAccountAmount } from './raydium-cp-layout.js';
import { associatedTokenAccount, poolAuthority } from './raydium-cp-swap.js';
import { litesvmChain, setRaw } from './testing/litesvm-chain.js';
import { encodeMint } from './testing/mint-fixtures.js';
import { buildPool, type PoolFixture, USDC_MINT } from './testing/pool-fixtures.js';
import { solanaKeypairJson } from './testing/testbed.js';
import { decodeWire } from './testing/wire.js';
import {
  decodeMint,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
  type TransferFeeConfig,
  transferFeeOf,
} from './token-2022.js';
import {
  MAX_COMPUTE_UNITS,
  MAX_TRANSACTION_BYTES,
  type SignedTransaction,
  signV0,
  sizedUnitLimit,
  tipInstruction,
  transactionFee,
} from './transactions.js';
import { setupWallet } from './wallet-setup.js';

/**
 * The wallet setup and the one-transaction submission on litesvm (the Agave runtime with the
 * token, Token-2022, associated-token and lookup-table programs): ATAs and the wrapped-SOL top-up
 * are idempotent, the lookup table is created and extended by the setup, and a transaction of
 * swap-shaped legs with the tip last lands under and over the packet limit (the latter through
 * the table) charged exactly the size, signatures and fee the builder quoted.
 *
 * A swap-shaped leg is an SPL Token transfer from the wallet's wrapped-SOL account to a pool's
 * vault that names every other account of that pool's `swap_base_input` as well, in the same
 * roles: the Raydium program cannot be loaded here, so this is the closest stand-in for its
 * account footprint, and the token program ignores accounts past the owner.
 */
const SOL = 1_000_000_000n;
const WSOL = WSOL_MINT as Address;
const POOLS = 6;
const FEE: TransferFeeConfig = {
  olderTransferFee: { epoch: 0n, maximumFee: 9_000_000n, basisPoints: 300 },
  newerTransferFee: { epoch: 0n, maximumFee: 2_000_000n, basisPoints: 125 },
};

let wallet: Wallet;
let svm: LiteSVM;
let pools: PoolFixture[];
let t22Mint: Address;
let t22Pool: Address;
let table: Address;

function balance(a: Address): bigint {
  return svm.getBalance(a) ?? 0n;
}

function tokenAmount(a: Address): bigint {
  const account = svm.getAccount(a);
  if (!account.exists) throw new Error(`no token account ${a}`);
  return tokenAccountAmount(new Uint8Array(account.data), a);
}

/** Every account the setup touches, bytes and lamports, to compare two runs. */
function snapshot(addresses: readonly Address[]): string[] {
  return addresses.map((a) => {
    const x = svm.getAccount(a);
    return x.exists ? `${a}:${x.lamports}:${Buffer.from(x.data).toString('hex')}` : `${a}:none`;
  });
}

async function swapShapedLeg(pool: PoolFixture, amount: bigint): Promise<Instruction> {
  const s = pool.state;
  const wsolIs0 = s.token0Mint === WSOL;
  const owner = wallet.address;
  const source = await associatedTokenAccount(owner, WSOL, TOKEN_PROGRAM);
  const outAta = await associatedTokenAccount(owner, USDC_MINT, TOKEN_PROGRAM);
  const [inVault, outVault] = wsolIs0
    ? [s.token0Vault, s.token1Vault]
    : [s.token1Vault, s.token0Vault];
  const transfer = getTransferInstruction({
    source,
    destination: inVault,
    authority: wallet.signer,
    amount,
  });
  const ro = (address: Address) => ({ address, role: AccountRole.READONLY });
  return {
    ...transfer,
    accounts: [
      ...transfer.accounts,
      ro(await poolAuthority()),
      ro(s.ammConfig),
      { address: pool.address, role: AccountRole.WRITABLE },
      { address: outAta, role: AccountRole.WRITABLE },
      { address: outVault, role: AccountRole.WRITABLE },
      ro(TOKEN_PROGRAM),
      ro(WSOL),
      ro(USDC_MINT),
      { address: s.observationKey, role: AccountRole.WRITABLE },
    ],
  };
}

beforeAll(async () => {
  wallet = await loadWallet({ keypairEnv: 'K' }, { K: solanaKeypairJson() });
  svm = new LiteSVM().withNativeMints();
  svm.airdrop(wallet.address, lamports(100n * SOL));
  pools = [];
  for (let i = 0; i < POOLS; i++) {
    const pool = await buildPool({
      configIndex: 10 + i,
      tradeFeeRate: 2_500n,
      wsol: 5_000n * SOL,
      usdc: 700_000_000_000n,
    });
    pools.push(pool);
    setRaw(svm, pool.address, RAYDIUM_CP_PROGRAM, pool.accounts.get(pool.address) as Uint8Array);
    for (const vault of [pool.state.token0Vault, pool.state.token1Vault])
      setRaw(svm, vault, TOKEN_PROGRAM, pool.accounts.get(vault) as Uint8Array);
  }
  setRaw(svm, USDC_MINT, TOKEN_PROGRAM, encodeMint({ program: TOKEN_PROGRAM, decimals: 6 }));
  // A Token-2022 mint with a transfer fee whose mint authority is the wallet, and a pool on it.
  t22Mint = (await generateKeyPairSigner()).address;
  const mint = encodeMint({ program: TOKEN_2022_PROGRAM, decimals: 6, transferFee: FEE });
  mint.set(getAddressEncoder().encode(wallet.address), 4);
  setRaw(svm, t22Mint, TOKEN_2022_PROGRAM, mint);
  const base = await buildPool({ configIndex: 40, tradeFeeRate: 2_500n, wsol: SOL, usdc: SOL });
  const usdcIs1 = base.state.token1Mint === USDC_MINT;
  const state = usdcIs1
    ? { ...base.state, token1Mint: t22Mint, token1Program: TOKEN_2022_PROGRAM }
    : { ...base.state, token0Mint: t22Mint, token0Program: TOKEN_2022_PROGRAM };
  t22Pool = base.address;
  setRaw(svm, t22Pool, RAYDIUM_CP_PROGRAM, encodePoolState(state));
});

describe('litesvm: the wallet setup', () => {
  it('creates the ATAs (SPL Token and Token-2022), wraps SOL and builds the lookup table; a second run changes nothing', async () => {
    const chain = litesvmChain(svm);
    const options = {
      chain,
      payer: wallet.signer,
      pools: [...pools.map((p) => p.address), t22Pool],
      wsolTargetLamports: 2n * SOL,
    };
    const first = await setupWallet(options);
    const wsolAta = await associatedTokenAccount(wallet.address, WSOL, TOKEN_PROGRAM);
    const usdcAta = await associatedTokenAccount(wallet.address, USDC_MINT, TOKEN_PROGRAM);
    const t22Ata = await associatedTokenAccount(wallet.address, t22Mint, TOKEN_2022_PROGRAM);
    expect(new Set(first.createdAccounts)).toEqual(new Set([wsolAta, usdcAta, t22Ata]));
    const t22Account = svm.getAccount(t22Ata);
    expect(t22Account.exists && t22Account.programAddress).toBe(TOKEN_2022_PROGRAM);
    expect(first.wrappedLamports).toBe(2n * SOL);
    expect(tokenAmount(wsolAta)).toBe(2n * SOL);
    expect(first.lookupTableCreated).toBe(true);
    table = first.lookupTable as Address;
    const held = decodeLookupTable(
      new Uint8Array((svm.getAccount(table) as { data: Uint8Array }).data),
      table,
    );
    expect(held.authority).toBe(wallet.address);
    expect(held.addresses).toHaveLength(first.addressesAdded);
    for (const p of pools)
      for (const a of [p.address, p.state.ammConfig, p.state.token0Vault, p.state.observationKey])
        expect(held.addresses).toContain(a);
    expect(held.addresses).toEqual(expect.arrayContaining([wsolAta, usdcAta, t22Ata]));
    expect(held.addresses).not.toContain(wallet.address);

    const watched = [wallet.address, wsolAta, usdcAta, t22Ata, table];
    const before = snapshot(watched);
    const sentBefore = chain.sent.length;
    const second = await setupWallet(options);
    expect(second).toMatchObject({
      createdAccounts: [],
      wrappedLamports: 0n,
      lookupTable: table,
      lookupTableCreated: false,
      addressesAdded: 0,
      transactions: 0,
    });
    expect(chain.sent.length).toBe(sentBefore);
    expect(snapshot(watched)).toEqual(before);
    // The table is usable from the slot after its last extension.
    svm.warpToSlot(svm.getClock().slot + 1n);
  });

  it('a Token-2022 transfer-fee mint takes the fee the model computes (token-2022.ts)', async () => {
    const t22Ata = await associatedTokenAccount(wallet.address, t22Mint, TOKEN_2022_PROGRAM);
    const other = (await generateKeyPairSigner()).address;
    const otherAta = await associatedTokenAccount(other, t22Mint, TOKEN_2022_PROGRAM);
    const t2022 = { programAddress: TOKEN_2022_PROGRAM };
    const amount = 123_456_789n;
    const setup = await signV0(wallet.signer, lifetime(), 200_000, 0n, [
      getCreateAssociatedTokenIdempotentInstruction({
        payer: wallet.signer,
        ata: otherAta,
        owner: other,
        mint: t22Mint,
        tokenProgram: TOKEN_2022_PROGRAM,
      }),
      getMintToInstruction(
        { mint: t22Mint, token: t22Ata, mintAuthority: wallet.signer, amount },
        t2022,
      ),
    ]);
    expect(svm.sendTransaction(setup.transaction)).toBeInstanceOf(TransactionMetadata);
    const transfer = await signV0(wallet.signer, lifetime(), 200_000, 0n, [
      getTransferCheckedInstruction(
        {
          source: t22Ata,
          mint: t22Mint,
          destination: otherAta,
          authority: wallet.signer,
          amount,
          decimals: 6,
        },
        t2022,
      ),
    ]);
    expect(svm.sendTransaction(transfer.transaction)).toBeInstanceOf(TransactionMetadata);
    const mintAccount = svm.getAccount(t22Mint) as { data: Uint8Array };
    const model = decodeMint(new Uint8Array(mintAccount.data), TOKEN_2022_PROGRAM, t22Mint);
    const fee = transferFeeOf(model, svm.getClock().epoch, amount);
    // 1.25 % (the newer fee, in force from epoch 0), under its 2 000 000 maximum.
    expect(fee).toBe((amount * 125n + 9_999n) / 10_000n);
    expect(tokenAmount(otherAta)).toBe(amount - fee);
    expect(tokenAmount(t22Ata)).toBe(0n);
  });
});

/** A Jito tip account is a funded system account: a tip below rent exemption could not open one. */
async function fundedTipAccount(): Promise<Address> {
  const a = (await generateKeyPairSigner()).address;
  svm.airdrop(a, lamports(SOL));
  return a;
}

function lifetime() {
  return { blockhash: svm.latestBlockhash(), lastValidBlockHeight: 1_000n };
}

/** Sizes the CU limit by simulation, signs, sends; returns what was quoted and what was charged. */
async function land(
  legs: Instruction[],
  tables: AddressesByLookupTableAddress | undefined,
  price: bigint,
  tipAccount: Address,
  tip: bigint,
): Promise<{ tx: SignedTransaction; charged: bigint }> {
  const instructions = [...legs, tipInstruction(wallet.signer, tipAccount, tip)];
  const probe = await signV0(
    wallet.signer,
    lifetime(),
    MAX_COMPUTE_UNITS,
    price,
    instructions,
    tables,
  );
  const sim = svm.simulateTransaction(probe.transaction);
  if (sim instanceof FailedTransactionMetadata) throw new Error(sim.meta().logs().join('\n'));
  const units = Number(sim.meta().computeUnitsConsumed());
  const tx = await signV0(
    wallet.signer,
    lifetime(),
    sizedUnitLimit(units, 0.15),
    price,
    instructions,
    tables,
  );
  const before = balance(wallet.address);
  const result = svm.sendTransaction(tx.transaction);
  if (result instanceof FailedTransactionMetadata) throw new Error(result.meta().logs().join('\n'));
  expect(result).toBeInstanceOf(TransactionMetadata);
  // The legs move wrapped SOL out of the token account; the payer's SOL pays the tip and fee.
  return { tx, charged: before - balance(wallet.address) - tip };
}

describe('litesvm: one transaction, tip last', () => {
  it('under the packet limit: static accounts; size, signatures and fee as quoted', async () => {
    const tipAccount = await fundedTipAccount();
    const legs = await Promise.all(pools.slice(0, 2).map((p) => swapShapedLeg(p, 1_000_000n)));
    const { tx, charged } = await land(legs, undefined, 20_000n, tipAccount, 12_345n);
    const wire = decodeWire(tx.base64);
    expect(tx.lookupTable).toBeNull();
    expect(tx.bytes).toBe(Buffer.from(tx.base64, 'base64').length);
    expect(tx.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    expect(wire.signatures).toBe(tx.signatures);
    expect(tx.signatures).toBe(1);
    expect(wire.instructions.at(-1)?.accounts[1]).toBe(tipAccount);
    expect(charged).toBe(tx.feeLamports);
    expect(tx.feeLamports).toBe(transactionFee(1, tx.computeUnitLimit, 20_000n));
    expect(balance(tipAccount)).toBe(SOL + 12_345n);
  });

  it('over the packet limit: refused without the table, lands compiled against it, charged as quoted', async () => {
    const tipAccount = await fundedTipAccount();
    const legs = await Promise.all(pools.map((p) => swapShapedLeg(p, 2_000_000n)));
    await expect(
      signV0(wallet.signer, lifetime(), 300_000, 0n, [
        ...legs,
        tipInstruction(wallet.signer, tipAccount, 1n),
      ]),
    ).rejects.toThrow(/is 1553 bytes, over the 1232-byte packet limit and no lookup table/);
    const account = svm.getAccount(table) as { data: Uint8Array };
    const held = decodeLookupTable(new Uint8Array(account.data), table);
    const vaultsBefore = pools.map((p) => tokenAmount(inVault(p)));
    const { tx, charged } = await land(
      legs,
      { [table]: [...held.addresses] },
      50_000n,
      tipAccount,
      54_321n,
    );
    expect(tx.lookupTable).toBe(table);
    expect(tx.bytes).toBe(Buffer.from(tx.base64, 'base64').length);
    expect(tx.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    expect(tx.signatures).toBe(1);
    expect(charged).toBe(tx.feeLamports);
    expect(tx.feeLamports).toBe(transactionFee(1, tx.computeUnitLimit, 50_000n));
    expect(balance(tipAccount)).toBe(SOL + 54_321n);
    expect(pools.map((p) => tokenAmount(inVault(p)))).toEqual(
      vaultsBefore.map((v) => v + 2_000_000n),
    );
  });
});

function inVault(pool: PoolFixture): Address {
  const s = pool.state;
  return s.token0Mint === WSOL ? s.token0Vault : s.token1Vault;
}
