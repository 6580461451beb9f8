import {
  EXTENSION_NAMES,
  type ExtensionName,
  MINT_SIZE,
  type TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
  type TransferFee,
  type TransferFeeConfig,
} from '../token-2022.js';

/**
 * Mint accounts built byte for byte from the token programs' documented layouts (spl-token
 * `state.rs` `Mint`; token-2022 `extension/mod.rs`: the mint, zero padding to byte 165, account
 * type 1, then u16 type / u16 length / value entries). Not captured from a cluster.
 */

export interface MintSpec {
  readonly program: typeof TOKEN_PROGRAM | typeof TOKEN_2022_PROGRAM;
  readonly decimals: number;
  readonly supply?: bigint;
  readonly transferFee?: TransferFeeConfig;
  /** Further extensions, by name, with the value bytes to store (zeros of a plausible size). */
  readonly extensions?: ReadonlyArray<{ name: ExtensionName; value: Uint8Array }>;
  /** Unused bytes after the last extension, as a mint reallocated for room carries. */
  readonly slack?: number;
}

function tlv(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, type, true);
  v.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

function transferFeeBytes(fee: TransferFee, v: DataView, at: number): void {
  v.setBigUint64(at, fee.epoch, true);
  v.setBigUint64(at + 8, fee.maximumFee, true);
  v.setUint16(at + 16, fee.basisPoints, true);
}

/** `TransferFeeConfig`: two authorities (filled with 7s), withheld amount, older, newer fee. */
export function transferFeeConfigBytes(config: TransferFeeConfig): Uint8Array {
  const out = new Uint8Array(108);
  out.fill(7, 0, 64);
  const v = new DataView(out.buffer);
  v.setBigUint64(64, 1_234n, true);
  transferFeeBytes(config.olderTransferFee, v, 72);
  transferFeeBytes(config.newerTransferFee, v, 90);
  return out;
}

export function encodeMint(spec: MintSpec): Uint8Array {
  const base = new Uint8Array(MINT_SIZE);
  const v = new DataView(base.buffer);
  // mint_authority: COption::Some(key of 9s); freeze_authority: COption::None.
  v.setUint32(0, 1, true);
  base.fill(9, 4, 36);
  v.setBigUint64(36, spec.supply ?? 1_000_000_000_000n, true);
  base[44] = spec.decimals;
  base[45] = 1;
  const entries: Uint8Array[] = [];
  if (spec.transferFee !== undefined) {
    entries.push(
      tlv(EXTENSION_NAMES.indexOf('TransferFeeConfig'), transferFeeConfigBytes(spec.transferFee)),
    );
  }
  for (const e of spec.extensions ?? [])
    entries.push(tlv(EXTENSION_NAMES.indexOf(e.name), e.value));
  if (spec.program === TOKEN_PROGRAM || (entries.length === 0 && spec.slack === undefined))
    return base;
  const tail = entries.reduce((n, e) => n + e.length, 0) + (spec.slack ?? 0);
  const out = new Uint8Array(166 + tail);
  out.set(base, 0);
  out[165] = 1;
  let at = 166;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}
