import type { Address } from '@solana/kit';
import { tokenAccountAmount } from '../../raydium-cp-layout.js';
import { requireAccount } from '../accounts.js';
import type { LiveVenue } from '../venue.js';
import { EXCEEDED_SLIPPAGE_ERROR, swapBaseInV2Instruction } from './instruction.js';
import { decodeAmmInfo, RAYDIUM_AMM_V4_PROGRAM } from './layout.js';
import { type AmmV4Pool, type AmmV4Swap, afterSwap, swapBaseIn } from './math.js';
import { AMM_V4_VENUE, ammV4Snapshot } from './snapshot.js';

/**
 * Raydium AMM v4 behind the venue interface: the AmmInfo account and its two vaults, priced and
 * traded through `swap_base_in_v2` (no OpenBook accounts).
 */
export const raydiumAmmV4: LiveVenue<AmmV4Pool, AmmV4Swap> = {
  name: AMM_V4_VENUE,
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
  snapshot: ammV4Snapshot,
  exceededSlippageError: EXCEEDED_SLIPPAGE_ERROR,
};
