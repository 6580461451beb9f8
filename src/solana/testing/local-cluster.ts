import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '@solana/kit';
import { type WebSocket, WebSocketServer } from 'ws';
import { WSOL_MINT } from '../../market/types.js';
import { encodeTokenAccount, RAYDIUM_CP_PROGRAM } from '../raydium-cp-layout.js';
import { associatedTokenAccount } from '../raydium-cp-swap.js';
import { handleRpc, type RpcReply } from './local-rpc.js';
import { SYSTEM_PROGRAM } from './wire.js';

const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';

/**
 * A Solana RPC + PubSub node and a Jito block engine on one loopback port, speaking the
 * documented JSON-RPC shapes, for protocol tests and `landfall agent --live --dry-run`. It is a
 * protocol peer, not a validator: accounts are what a test sets, and a transaction's fate is a
 * knob (`bundleFate`, `signatureFate`). What it can be told to do wrong is the point: JSON-RPC
 * errors (`failNext`), HTTP 429 (`rateLimitNext`), dropped sockets (`dropSockets`), silence
 * (`muted`). Routes: POST / (RPC), WS / (PubSub), POST /api/v1/bundles, GET /api/v1/bundles/tip_floor.
 */
export type Fate = 'land' | 'fail' | 'pending' | 'revert';

export interface SentTransaction {
  readonly base64: string;
  readonly signature: string;
  readonly via: 'sendTransaction' | 'sendBundle';
}

export class LocalCluster {
  readonly accounts = new Map<string, Uint8Array>();
  readonly requests: Array<{ path: string; method: string; params: unknown[] }> = [];
  readonly sent: SentTransaction[] = [];
  readonly bundles = new Map<
    string,
    { signatures: string[]; polls: number; fate: Fate; slot: number }
  >();
  readonly signatures = new Map<
    string,
    { polls: number; fate: Fate; slot: number; fee: bigint; base64: string }
  >();
  readonly tipAccounts = [
    '96gYZGLnJYVFmbjzopPSU6QiEV5fGqZNyN9nmNhvrZU5',
    'HFqU5x63VTqvQss8hp11i4wVV8bD44PvwucfZ2bU7gRe',
    'Cw8CFyM9FkoMi7K7Crf6HNQqf4uEMzpKw6QNghXLvLkY',
  ];
  leaders = [
    '7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2',
    'GdnSyH3YtwcxFvQrVVJMm1JhTS4QVX7MFsX56uJLUfiZ',
  ];
  slot = 300_000_000;
  /**
   * getEpochSchedule / getEpochInfo / getLeaderSchedule: no warmup, as mainnet, but 8 192 slots
   * an epoch rather than 432 000, so the two schedules every live test reads stay small.
   */
  slotsPerEpoch = 8_192;
  /** Who leads `slot`: by default the `leaders` in turn, four slots each, from slot 0. */
  leaderOf: (slot: number) => string = (slot) =>
    this.leaders[Math.floor(slot / 4) % this.leaders.length] as string;
  /** getVoteAccounts: each leader's vote account (none unless a test sets them). */
  voteAccounts: Array<{ votePubkey: string; nodePubkey: string }> = [];
  /** GET /api/v1/validators, Jito's validator list; null answers 503. */
  jitoValidators: Array<{ vote_account: string; running_jito: boolean }> | null = [];
  balanceLamports = 50_000_000_000n;
  /** WSOL the payer gains in a landed swap (getTransaction's token balances). */
  swapGainLamports = 0n;
  bundleFate: Fate = 'land';
  signatureFate: Fate = 'land';
  /** Status polls before a bundle or signature leaves Pending. */
  pollsToDecide = 1;
  simulationError: unknown = null;
  tipFloor: Record<string, unknown> = {
    time: '2026-11-25T00:00:00Z',
    landed_tips_25th_percentile: 0.000001,
    landed_tips_50th_percentile: 0.00001,
    landed_tips_75th_percentile: 0.000036,
    landed_tips_95th_percentile: 0.0014,
    landed_tips_99th_percentile: 0.01,
    ema_landed_tips_50th_percentile: 0.0000098,
  };
  /** No account or slot notifications while true (a silent but open socket). */
  muted = false;
  /** Each account's owning program; RAYDIUM_CP_PROGRAM for one not named here. */
  readonly owners = new Map<string, string>();
  /** Each account's lamports where set (a wallet's SOL); a token account's rent otherwise. */
  readonly lamports = new Map<string, bigint>();
  /** While set, reads answer from this copy: an RPC node behind the PubSub one (`lagReads`). */
  private lagging: { slot: number; accounts: Map<string, Uint8Array> } | undefined;
  /**
   * Block engine: of every `of` getInflightBundleStatuses calls, the first `limited` answer HTTP
   * 429 with Jito's body (-32097, "Network congested. Endpoint is globally rate limited.").
   */
  statusRateLimit: { limited: number; of: number } | undefined;
  private statusCalls = 0;
  private rateLimited = 0;
  private failures = new Map<string, { code: number; message: string }[]>();
  private readonly subs = new Map<
    WebSocket,
    Map<number, { kind: 'account' | 'slot'; account?: string }>
  >();
  private nextSub = 1;
  private server!: Server;
  private wss!: WebSocketServer;
  port = 0;

  static async start(): Promise<LocalCluster> {
    const c = new LocalCluster();
    await c.listen();
    return c;
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get jitoValidatorsUrl(): string {
    return `${this.rpcUrl}/api/v1/validators`;
  }

  get tipFloorUrl(): string {
    return `${this.rpcUrl}/api/v1/bundles/tip_floor`;
  }
  get subscriptions(): number {
    let n = 0;
    for (const m of this.subs.values()) n += m.size;
    return n;
  }

  /** The next `n` HTTP requests get 429 Too Many Requests. */
  rateLimitNext(n: number): void {
    this.rateLimited += n;
  }

  stopRateLimiting(): void {
    this.rateLimited = 0;
  }

  /** The next call of `method` answers this JSON-RPC error. */
  failNext(method: string, error: { code: number; message: string }): void {
    const list = this.failures.get(method) ?? [];
    list.push(error);
    this.failures.set(method, list);
  }

  /** Terminates every PubSub socket, as a load balancer restart would. */
  dropSockets(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  setAccount(address: string, data: Uint8Array): void {
    this.accounts.set(address, data);
    if (this.muted) return;
    for (const [ws, subs] of this.subs) {
      for (const [id, s] of subs) {
        if (s.kind !== 'account' || s.account !== address) continue;
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            method: 'accountNotification',
            params: {
              subscription: id,
              result: { context: { slot: this.slot }, value: this.accountValue(address) },
            },
          }),
        );
      }
    }
  }

  /** From now on reads answer with the accounts and slot as they are now, until `catchUp`. */
  lagReads(): void {
    this.lagging = { slot: this.slot, accounts: new Map(this.accounts) };
  }

  catchUp(): void {
    this.lagging = undefined;
  }

  /** What a read sees: the slot it is served at, and each account's value there. */
  readView(): { slot: number; value(address: string): unknown } {
    const { slot, accounts } = this.lagging ?? { slot: this.slot, accounts: this.accounts };
    return { slot, value: (address) => this.accountValue(address, accounts) };
  }

  /**
   * The wallet's system account holding `sol` lamports and its WSOL associated token account
   * holding `wsol`, announced to their subscribers like any account change.
   */
  async fundWallet(owner: string, sol: bigint, wsol: bigint): Promise<void> {
    const ata = await associatedTokenAccount(
      owner as Address,
      WSOL_MINT as Address,
      TOKEN_PROGRAM as Address,
    );
    this.owners.set(owner, SYSTEM_PROGRAM);
    this.lamports.set(owner, sol);
    this.setAccount(owner, new Uint8Array(0));
    this.owners.set(ata, TOKEN_PROGRAM);
    this.setAccount(
      ata,
      encodeTokenAccount({ mint: WSOL_MINT as Address, owner: owner as Address, amount: wsol }),
    );
  }

  advanceSlot(): void {
    this.slot++;
    if (this.muted) return;
    for (const [ws, subs] of this.subs) {
      for (const [id, s] of subs) {
        if (s.kind !== 'slot') continue;
        const result = { slot: this.slot, parent: this.slot - 1, root: this.slot - 32 };
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            method: 'slotNotification',
            params: { subscription: id, result },
          }),
        );
      }
    }
  }

  accountValue(address: string, accounts = this.accounts): unknown {
    const data = accounts.get(address);
    if (data === undefined) return null;
    return {
      data: [Buffer.from(data).toString('base64'), 'base64'],
      executable: false,
      lamports: Number(this.lamports.get(address) ?? 2_039_280n),
      owner: this.owners.get(address) ?? RAYDIUM_CP_PROGRAM,
      // u64::MAX in the RPC's JSON; a JS number cannot hold it exactly, and nothing reads it.
      rentEpoch: 18_446_744_073_709_552_000,
      space: data.length,
    };
  }

  takeFailure(method: string): { code: number; message: string } | undefined {
    return this.failures.get(method)?.shift();
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.http(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws) => this.connection(ws));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    let body = '';
    for await (const chunk of req) body += chunk;
    if (this.rateLimited > 0) {
      this.rateLimited--;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: 429, message: 'Too many requests for a specific RPC call' },
          id: null,
        }),
      );
      return;
    }
    if (req.method === 'GET' && path === '/api/v1/validators') {
      this.requests.push({ path, method: 'GET validators', params: [] });
      res.writeHead(this.jitoValidators === null ? 503 : 200, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ validators: this.jitoValidators ?? [] }));
      return;
    }
    if (req.method === 'GET' && path === '/api/v1/bundles/tip_floor') {
      this.requests.push({ path, method: 'GET tip_floor', params: [] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([this.tipFloor]));
      return;
    }
    let request: { id: number; method: string; params?: unknown[] };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32700, message: 'Parse error' },
          id: null,
        }),
      );
      return;
    }
    this.requests.push({ path, method: request.method, params: request.params ?? [] });
    if (this.statusLimited(path, request.method)) {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32097, message: 'Network congested. Endpoint is globally rate limited.' },
          id: null,
        }),
      );
      return;
    }
    const reply: RpcReply = handleRpc(this, path, request.method, request.params ?? []);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: request.id, ...reply }));
  }

  private statusLimited(path: string, method: string): boolean {
    const limit = this.statusRateLimit;
    if (limit === undefined || path !== '/api/v1/bundles' || method !== 'getInflightBundleStatuses')
      return false;
    return this.statusCalls++ % limit.of < limit.limited;
  }

  private connection(ws: WebSocket): void {
    const mine = new Map<number, { kind: 'account' | 'slot'; account?: string }>();
    this.subs.set(ws, mine);
    ws.on('close', () => this.subs.delete(ws));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { id: number; method: string; params: unknown[] };
      const reply = (payload: object) =>
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...payload }));
      const failure = this.takeFailure(msg.method);
      if (failure !== undefined) return reply({ error: failure });
      if (msg.method === 'accountSubscribe') {
        const id = this.nextSub++;
        mine.set(id, { kind: 'account', account: msg.params[0] as string });
        return reply({ result: id });
      }
      if (msg.method === 'slotSubscribe') {
        const id = this.nextSub++;
        mine.set(id, { kind: 'slot' });
        return reply({ result: id });
      }
      if (msg.method === 'accountUnsubscribe' || msg.method === 'slotUnsubscribe') {
        return reply({ result: mine.delete(msg.params[0] as number) });
      }
      reply({ error: { code: -32601, message: 'Method not found' } });
    });
  }
}
