import type { Address, Commitment } from '@solana/kit';
import type { Logger } from '../log.js';
import { WSOL_MINT } from '../market/types.js';
import { PubSub } from './pubsub.js';
import { tokenAccountAmount } from './raydium-cp-layout.js';
import { associatedTokenAccount } from './raydium-cp-swap.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * What the wallet can spend, kept from its own account subscriptions rather than read per
 * submission: SOL (the wallet's system account: fees and tips) and WSOL (its WSOL associated
 * token account: what a leg that sells SOL spends). Started by the first read: it subscribes to
 * both accounts and, once the subscriptions are up (so no change falls between), reads them once
 * over RPC; after that a read costs no round trip. Each value
 * keeps the newest slot it was seen at, so a read that answers behind a notification changes
 * nothing; a reconnect reads both again (notifications may have been missed).
 */
export interface Spendable {
  readonly solLamports: bigint;
  /** 0 when the WSOL account does not exist. */
  readonly wsolLamports: bigint;
}

export interface WalletBalanceOptions {
  readonly rpc: SolanaRpcClient;
  readonly wsUrl: string;
  readonly owner: Address;
  readonly commitment: Commitment;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly pingMs: number;
  /** How long the first read waits for the subscriptions before it reads anyway. */
  readonly subscribeTimeoutMs: number;
  readonly log: Logger;
}

/** The SPL Token program: wrapped SOL lives under it (not Token-2022). */
const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' as Address;

interface Seen {
  value: bigint;
  slot: number;
}

interface RpcAccount {
  readonly lamports: bigint | number;
  readonly data: readonly [string, string];
}

export class WalletBalance {
  readonly stats = { reads: 0, notifications: 0 };
  private sol: Seen = { value: 0n, slot: -1 };
  private wsol: Seen = { value: 0n, slot: -1 };
  private ata: Promise<Address> | undefined;
  private reading: Promise<void> | undefined;
  private pubsub: PubSub | undefined;
  private stopped = false;

  constructor(private readonly options: WalletBalanceOptions) {}

  /**
   * What the wallet holds as last seen. Until both accounts have been seen once (the first
   * call subscribes), it reads them over RPC; a failed read rejects and the next call retries.
   */
  async spendable(): Promise<Spendable> {
    this.ata ??= this.subscribe();
    const ata = await this.ata;
    if (this.sol.slot < 0 || this.wsol.slot < 0) {
      this.reading ??= this.read(ata).finally(() => {
        this.reading = undefined;
      });
      await this.reading;
    }
    return { solLamports: this.sol.value, wsolLamports: this.wsol.value };
  }

  stop(): void {
    this.stopped = true;
    this.pubsub?.stop();
  }

  /** Subscribes to both accounts (the socket connects in the background); the WSOL account. */
  private async subscribe(): Promise<Address> {
    const { owner, commitment, log } = this.options;
    const ata = await associatedTokenAccount(owner, WSOL_MINT as Address, TOKEN_PROGRAM);
    if (this.stopped) return ata;
    const pubsub = new PubSub({
      url: this.options.wsUrl,
      reconnectMinMs: this.options.reconnectMinMs,
      reconnectMaxMs: this.options.reconnectMaxMs,
      pingMs: this.options.pingMs,
      log,
      onReconnect: () =>
        void this.read(ata).catch((err: unknown) =>
          log.warn({ err: (err as Error).message }, 'wallet balance re-read failed'),
        ),
    });
    this.pubsub = pubsub;
    for (const [account, apply] of [
      [owner, (v: RpcAccount | null, slot: number) => this.set('sol', solOf(v), slot)],
      [ata, (v: RpcAccount | null, slot: number) => this.set('wsol', wsolOf(v, ata), slot)],
    ] as const) {
      pubsub.subscribe(
        `accountSubscribe ${account}`,
        (client, abortSignal) =>
          client.accountNotifications(account, { encoding: 'base64', commitment }).subscribe({
            abortSignal,
          }),
        (n) => {
          this.stats.notifications++;
          try {
            apply(n.value as RpcAccount | null, Number(n.context.slot));
          } catch (err) {
            log.warn(
              { account, err: (err as Error).message },
              'wallet account notification ignored',
            );
          }
        },
      );
    }
    // Read only once subscribed, so no change falls between the read and the first
    // notification; a socket that will not open delays the first read by the timeout, no more.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      pubsub.start(),
      new Promise((r) => {
        timer = setTimeout(r, this.options.subscribeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return ata;
  }

  private async read(ata: Address): Promise<void> {
    const { rpc, owner, commitment } = this.options;
    this.stats.reads++;
    const res = await rpc.rpc
      .getMultipleAccounts([owner, ata], { encoding: 'base64', commitment })
      .send();
    const slot = Number(res.context.slot);
    const [wallet, wsol] = res.value as unknown as [RpcAccount | null, RpcAccount | null];
    this.set('sol', solOf(wallet), slot);
    this.set('wsol', wsolOf(wsol, ata), slot);
  }

  private set(which: 'sol' | 'wsol', value: bigint, slot: number): void {
    const seen = this[which];
    if (slot < seen.slot) return;
    this[which] = { value, slot };
  }
}

function solOf(account: RpcAccount | null): bigint {
  return account === null ? 0n : BigInt(account.lamports);
}

function wsolOf(account: RpcAccount | null, ata: Address): bigint {
  if (account === null) return 0n;
  return tokenAccountAmount(Buffer.from(account.data[0], 'base64'), `WSOL account ${ata}`);
}
