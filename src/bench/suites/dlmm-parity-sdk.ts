import { createRequire } from 'node:module';

/**
 * Meteora's own TypeScript SDK (`@meteora-ag/dlmm`, dev dependency) as the oracle for the DLMM
 * venue: its anchor coder (the program's IDL), its `DLMM.swapQuote`, and its anchor instruction
 * builder. CommonJS: its ESM build imports anchor by a directory path Node's ESM loader refuses,
 * so it is loaded with `createRequire`. Bench and test tooling only: nothing under src/solana
 * imports this. No connection is ever used: the program object is built on an empty one, and
 * `DLMM` is constructed from decoded accounts rather than fetched.
 */

const req = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: the SDK ships loose anchor types; this file is its boundary.
type Any = any;

export interface DlmmSdk {
  /** `program.coder.accounts.decode(name, bytes)`. */
  decode(name: 'lbPair' | 'binArray' | 'binArrayBitmapExtension', data: Uint8Array): Any;
  /**
   * `DLMM.swapQuote` on the pair `lbPair` (anchor-decoded) with these bin arrays, at unix time
   * `now`: the SDK reads the wall clock (`Date.now()`), so it is pinned to `now` for the call.
   */
  swapQuote(input: {
    lbPair: Any;
    binArrays: readonly { publicKey: Any; account: Any }[];
    swapForY: boolean;
    amountIn: bigint;
    now: bigint;
    epoch: bigint;
  }): {
    consumedInAmount: bigint;
    outAmount: bigint;
    fee: bigint;
    protocolFee: bigint;
    binArrays: string[];
  };
  /** The `swap2` instruction exactly as `DLMM.swap` asks anchor for it. */
  swap2Instruction(input: {
    pool: string;
    lbPair: Any;
    bitmapExtension: string | null;
    user: string;
    userTokenIn: string;
    userTokenOut: string;
    tokenXProgram: string;
    tokenYProgram: string;
    amountIn: bigint;
    minOutAmount: bigint;
    binArrays: readonly string[];
  }): Promise<{
    programId: string;
    keys: { pubkey: string; isSigner: boolean; isWritable: boolean }[];
    data: Uint8Array;
  }>;
  BN: Any;
  PublicKey: Any;
  /** The module's own helpers (`getQPriceFromId`, `getTotalFee`, `computeFee`…). */
  lib: Any;
}

let loaded: DlmmSdk | undefined;

export function loadDlmmSdk(): DlmmSdk {
  if (loaded) return loaded;
  const sdk = req('@meteora-ag/dlmm');
  const { BN } = req('@coral-xyz/anchor');
  const { PublicKey } = req('@solana/web3.js');
  const program = sdk.createProgram({});
  // Its CommonJS entry exports the DLMM class itself, with the helpers as properties.
  const DLMM = sdk;
  const emptyMint = { tlvData: Buffer.alloc(0) };
  loaded = {
    lib: sdk,
    BN,
    PublicKey,
    decode: (name, data) => program.coder.accounts.decode(name, Buffer.from(data)),
    swapQuote({ lbPair, binArrays, swapForY, amountIn, now, epoch }) {
      const dlmm = new DLMM(
        PublicKey.default,
        program,
        lbPair,
        null,
        { mint: emptyMint, owner: PublicKey.default, transferHookAccountMetas: [] },
        { mint: emptyMint, owner: PublicKey.default, transferHookAccountMetas: [] },
        [],
        { epoch: new BN(epoch.toString()) },
        {},
      );
      const realNow = Date.now;
      Date.now = () => Number(now) * 1000;
      try {
        const q = dlmm.swapQuote(
          new BN(amountIn.toString()),
          swapForY,
          new BN(0),
          binArrays,
          false,
        );
        return {
          consumedInAmount: BigInt(q.consumedInAmount.toString()),
          outAmount: BigInt(q.outAmount.toString()),
          fee: BigInt(q.fee.toString()),
          protocolFee: BigInt(q.protocolFee.toString()),
          binArrays: q.binArraysPubkey.map((k: Any) => k.toBase58()),
        };
      } finally {
        Date.now = realNow;
      }
    },
    async swap2Instruction(i) {
      const pk = (a: string) => new PublicKey(a);
      // DLMM.swap's call, with its transfer-hook slices (none: no hook on these mints).
      const slices = [
        { accountsType: { transferHookX: {} }, length: 0 },
        { accountsType: { transferHookY: {} }, length: 0 },
      ];
      const ix = await program.methods
        .swap2(new BN(i.amountIn.toString()), new BN(i.minOutAmount.toString()), { slices })
        .accountsPartial({
          lbPair: pk(i.pool),
          reserveX: i.lbPair.reserveX,
          reserveY: i.lbPair.reserveY,
          tokenXMint: i.lbPair.tokenXMint,
          tokenYMint: i.lbPair.tokenYMint,
          tokenXProgram: pk(i.tokenXProgram),
          tokenYProgram: pk(i.tokenYProgram),
          user: pk(i.user),
          userTokenIn: pk(i.userTokenIn),
          userTokenOut: pk(i.userTokenOut),
          binArrayBitmapExtension: i.bitmapExtension === null ? null : pk(i.bitmapExtension),
          oracle: i.lbPair.oracle,
          hostFeeIn: null,
          memoProgram: sdk.MEMO_PROGRAM_ID,
        })
        .remainingAccounts([])
        .remainingAccounts(
          i.binArrays.map((a) => ({ pubkey: pk(a), isSigner: false, isWritable: true })),
        )
        .instruction();
      return {
        programId: ix.programId.toBase58(),
        keys: ix.keys.map((k: Any) => ({
          pubkey: k.pubkey.toBase58(),
          isSigner: k.isSigner,
          isWritable: k.isWritable,
        })),
        data: new Uint8Array(ix.data),
      };
    },
  };
  return loaded;
}
