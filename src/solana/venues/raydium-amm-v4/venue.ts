import type { Address } from '@solana/kit';
import { tokenAccountAmount } from '../../raydium-cp-layout.js';
import { requireAccount } from '../accounts.js';
import type { Venue } from '../venue.js';
import { swapBaseInV2Instruction } from './instruction.js';
import { decodeAmmInfo, RAYDIUM_AMM_V4_PROGRAM } from './layout.js';
import { type AmmV4Pool, type AmmV4Swap, afterSwap, swapBaseIn } from './math.js';

/**
 * Raydium AMM v4 behind the venue interface: the AmmInfo account and its two vaults, priced and
 * traded through `swap_base_in_v2` (no OpenBook accounts).
 */
export const raydiumAmmV4: Venue<AmmV4Pool, AmmV4Swap> = {
  name: 'raydium-amm-v4',
  programAddress: RAYDIUM_AMM_V4_PROGRAM,
  watchedAccounts(pool: Address, poolData: Uint8Array) {
    const info = decodeAmmInfo(poolData, `pool ${pool}`);
    return [pool, info.coinVault, info.pcVault];
  },
  decode(pool, read) {
    const info = decodeAmmInfo(requireAccount(read, pool, 'AmmInfo', pool), `pool ${pool}`);
    const vault = (address: Address, role: string) =>
      tokenAccountAmount(requireAccount(read, address, role, pool), `${role} of pool ${pool}`);
    return {
      info,
      coinVaultAmount: vault(info.coinVault, 'coin vault'),
      pcVaultAmount: vault(info.pcVault, 'pc vault'),
    };
  },
  quote: (state, direction, amountIn, context) =>
    swapBaseIn(state, direction, amountIn, context.unixTimestamp),
  apply: (state, quote, context) => afterSwap(state, quote, context.epoch),
  swapInstruction: swapBaseInV2Instruction,
};
