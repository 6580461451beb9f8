import { createRequire } from 'node:module';

/**
 * The pieces of Raydium's TypeScript SDK (`@raydium-io/raydium-sdk-v2`, a dev dependency) that the
 * CP-Swap parity check calls: its CPMM `CurveCalculator` and constant-product curve, its Token-2022
 * transfer-fee helper and its PoolState / AmmConfig layouts. Declared here as local shapes and
 * loaded with `require` from the CommonJS bundles (the ESM bundles cannot be imported by Node).
 * Bench and test tooling only: nothing under src/solana imports this.
 */

const req = createRequire(import.meta.url);

/** The few SDK shapes used here, declared locally (the SDK's bundles are CommonJS). */
export interface BN {
  toString(): string;
}
export type BNCtor = new (value: string) => BN;
export interface SdkSwapResult {
  readonly inputAmount: BN;
  readonly outputAmount: BN;
  readonly tradeFee: BN;
  readonly protocolFee: BN;
  readonly fundFee: BN;
  readonly creatorFee: BN;
}
export type SdkCurveFn = (
  amount: BN,
  inputVault: BN,
  outputVault: BN,
  tradeFeeRate: BN,
  creatorFeeRate: BN,
  protocolFeeRate: BN,
  fundFeeRate: BN,
  isCreatorFeeOnInput: boolean,
) => SdkSwapResult;
export interface SdkFeeConfig {
  readonly olderTransferFee: { epoch: string; maximumFee: string; transferFeeBasisPoints: number };
  readonly newerTransferFee: { epoch: string; maximumFee: string; transferFeeBasisPoints: number };
}
export type SdkTransferFee = (
  amount: BN,
  config: SdkFeeConfig | undefined,
  epochInfo: { epoch: number },
  addFee: boolean,
) => { amount: BN; fee?: BN };
export interface SdkLayout {
  decode(data: Buffer): Record<string, BN | number | boolean>;
}

export interface Sdk {
  BN: BNCtor;
  swapBaseInput: SdkCurveFn;
  swapBaseOutput: SdkCurveFn;
  withoutFees: (input: BN, inputVault: BN, outputVault: BN) => BN;
  transferFee: SdkTransferFee;
  poolLayout: SdkLayout;
  configLayout: SdkLayout;
}

let sdk: Sdk | undefined;

/** Loads the SDK's CommonJS modules once (about a second: each bundles its dependencies). */
export function loadSdk(): Sdk {
  if (sdk !== undefined) return sdk;
  const root = '@raydium-io/raydium-sdk-v2/lib';
  const curve = req(`${root}/raydium/cpmm/curve/calculator.js`).CurveCalculator;
  const product = req(`${root}/raydium/cpmm/curve/constantProduct.js`).ConstantProductCurve;
  const layout = req(`${root}/raydium/cpmm/layout.js`);
  // bn.js as the SDK itself resolves it.
  const fromSdk = createRequire(req.resolve('@raydium-io/raydium-sdk-v2/package.json'));
  sdk = {
    BN: fromSdk('bn.js'),
    swapBaseInput: curve.swapBaseInput.bind(curve),
    swapBaseOutput: curve.swapBaseOutput.bind(curve),
    withoutFees: product.swapBaseInputWithoutFees.bind(product),
    transferFee: req(`${root}/common/transfer.js`).getTransferAmountFeeV2,
    poolLayout: layout.CpmmPoolInfoLayout,
    configLayout: layout.CpmmConfigInfoLayout,
  };
  return sdk;
}
