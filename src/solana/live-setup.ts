import type { Address } from '@solana/kit';
import type { Logger } from '../log.js';
import type { LiveConfig } from './config.js';
import type { Wallet } from './keypair.js';
import { rpcSetupChain } from './setup-chain.js';
import type { LiveStack } from './stack.js';
import { poolVenues } from './venues/live.js';
import { setupWallet, type WalletSetupReport } from './wallet-setup.js';

/**
 * Live start's setup step, before the first submission: the wallet setup (ATAs, wrapped SOL,
 * lookup table; read-only in a dry run), the table loaded into the pipeline, and the hot path's
 * caches filled (blockhash, tip accounts). A table the setup had to create is logged with the
 * line to put in the config, so later runs find it without scanning for it.
 */
export async function prepareLiveWallet(o: {
  readonly stack: LiveStack;
  readonly live: LiveConfig;
  readonly wallet: Wallet;
  readonly log: Logger;
  readonly dryRun: boolean;
}): Promise<WalletSetupReport> {
  const { stack, live, log } = o;
  const chain = rpcSetupChain(stack.rpc, {
    commitment: 'confirmed',
    confirmTimeoutMs: live.timeouts.landingMs,
    pollMs: live.timeouts.statusPollMs,
  });
  const report = await setupWallet({
    chain,
    payer: o.wallet.signer,
    pools: live.pools.map((p) => p.address as Address),
    venues: poolVenues(live.pools),
    wsolTargetLamports: BigInt(live.wsolTargetLamports),
    readOnly: o.dryRun,
    ...(live.lookupTable === undefined ? {} : { lookupTable: live.lookupTable as Address }),
  });
  if (report.lookupTable !== null && report.table !== null)
    stack.lookupTables.load(report.lookupTable, report.table);
  const summary = {
    createdAccounts: report.createdAccounts,
    wrappedLamports: report.wrappedLamports.toString(),
    lookupTable: report.lookupTable,
    addressesAdded: report.addressesAdded,
    transactions: report.transactions,
  };
  if (o.dryRun) log.info(summary, 'wallet setup (dry run: read only, nothing sent)');
  else log.info(summary, 'wallet setup done');
  if (report.lookupTable !== null && live.lookupTable !== report.lookupTable) {
    log.warn(
      { lookupTable: report.lookupTable },
      `set live.lookupTable: ${report.lookupTable} in the config`,
    );
  }
  await stack.pipeline.warm();
  return report;
}
