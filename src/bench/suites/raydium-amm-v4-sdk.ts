import { createRequire } from 'node:module';
import type { BN, BNCtor, SdkLayout } from './raydium-sdk.js';

/**
 * The pieces of Raydium's TypeScript SDK (`@raydium-io/raydium-sdk-v2`, a dev dependency) that the
 * AMM v4 parity check calls, loaded from its CommonJS bundles like raydium-sdk.ts does for
 * CP-Swap: the `liquidityStateV4Layout` decoder, the liquidity module's `getRpcPoolInfos` (it
 * reads the pool and its vaults and nets the PnL owed to the protocol off the vaults) and
 * `computeAmountOut`, `toAmmComputePoolInfo` between them, and the `swap_base_in_v2` instruction
 * builder. Bench and test tooling only: nothing under src/solana imports this.
 */

const req = createRequire(import.meta.url);

/** A `@solana/web3.js` PublicKey, as far as this uses it. */
export interface SdkPublicKey {
  toBase58(): string;
}

export interface SdkAccountInfo {
  readonly data: Buffer;
  readonly owner: SdkPublicKey;
  readonly lamports: number;
  readonly executable: boolean;
  readonly rentEpoch: number;
}

/** The one Connection method `getRpcPoolInfos` calls. */
export interface SdkConnection {
  getMultipleAccountsInfo(keys: SdkPublicKey[]): Promise<(SdkAccountInfo | null)[]>;
}

export type SdkComputePoolInfo = Record<string, unknown>;

export interface SdkAmountOut {
  readonly amountOut: BN;
  readonly fee: BN;
}

export interface SdkInstruction {
  readonly programId: SdkPublicKey;
  readonly keys: { pubkey: SdkPublicKey; isSigner: boolean; isWritable: boolean }[];
  readonly data: Buffer;
}

export interface AmmV4Sdk {
  BN: BNCtor;
  PublicKey: new (value: string | Uint8Array) => SdkPublicKey;
  stateLayout: SdkLayout & { span: number };
  /** `LiquidityModule.getRpcPoolInfos` on a connection of the caller's. */
  rpcPoolInfos(connection: SdkConnection, pools: string[]): Promise<Record<string, unknown>>;
  toComputePoolInfo(rpc: Record<string, unknown>): Record<string, SdkComputePoolInfo>;
  /** `LiquidityModule.computeAmountOut` (its v4 branch reads nothing from the module). */
  computeAmountOut(params: {
    poolInfo: SdkComputePoolInfo;
    amountIn: BN;
    mintIn: string;
    mintOut: string;
    slippage: number;
  }): SdkAmountOut;
  /** `getLiquidityAssociatedAuthority`: the vault authority and its bump. */
  authority(programId: string): { publicKey: SdkPublicKey; nonce: number };
  swapBaseInV2(
    programId: string,
    pool: string,
    authority: string,
    coinVault: string,
    pcVault: string,
    userSource: string,
    userDestination: string,
    owner: string,
    amountIn: BN,
    minimumAmountOut: BN,
  ): SdkInstruction;
}

let sdk: AmmV4Sdk | undefined;

export function loadAmmV4Sdk(): AmmV4Sdk {
  if (sdk !== undefined) return sdk;
  const root = '@raydium-io/raydium-sdk-v2/lib/raydium/liquidity';
  const liquidity = req(`${root}/liquidity.js`).default;
  const utils = req(`${root}/utils.js`);
  const instruction = req(`${root}/instruction.js`);
  // bn.js and web3.js as the SDK itself resolves them.
  const fromSdk = createRequire(req.resolve('@raydium-io/raydium-sdk-v2/package.json'));
  const web3 = fromSdk('@solana/web3.js');
  const key = (v: string) => new web3.PublicKey(v);
  // The module's methods use `this` only for `scope.connection` (and, off the v4 path, stable
  // pool layouts): a bare object with a connection is enough.
  const self = (connection?: SdkConnection) => ({ scope: { connection } });
  sdk = {
    BN: fromSdk('bn.js'),
    PublicKey: web3.PublicKey,
    stateLayout: req(`${root}/layout.js`).liquidityStateV4Layout,
    rpcPoolInfos: (connection, pools) =>
      liquidity.prototype.getRpcPoolInfos.call(self(connection), pools),
    toComputePoolInfo: utils.toAmmComputePoolInfo,
    computeAmountOut: (params) => liquidity.prototype.computeAmountOut.call(self(), params),
    authority: (programId) => utils.getLiquidityAssociatedAuthority({ programId: key(programId) }),
    swapBaseInV2: (programId, pool, auth, coin, pc, source, destination, owner, amountIn, min) =>
      instruction.swapBaseInV2Instruction(
        key(programId),
        key(pool),
        key(auth),
        key(coin),
        key(pc),
        key(source),
        key(destination),
        key(owner),
        amountIn,
        min,
      ),
  };
  return sdk;
}
