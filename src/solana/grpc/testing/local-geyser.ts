import * as grpc from '@grpc/grpc-js';
import { getAddressDecoder, getAddressEncoder } from '@solana/kit';
import {
  SubscribeDeshredRequest,
  SubscribeRequest,
  SubscribeUpdate,
  SubscribeUpdateDeshred,
} from '@triton-one/yellowstone-grpc';
import type { GeyserConnector } from '../geyser-client.js';
import { yellowstoneConnector } from '../geyser-client.js';

/**
 * A Geyser gRPC server on loopback serving `geyser.Geyser/Subscribe` with the messages of the
 * published `geyser.proto` (the codecs the client package generates from it), for tests: the
 * real client connects to it over HTTP/2. It keeps every update it has sent, so a subscription
 * with `from_slot` gets the updates from that slot on again before the live ones, as a
 * Yellowstone server with replay does. What it can be told to do is the point: send updates out
 * of order or twice (`send` sends what it is given, as given), drop every stream (`dropStreams`),
 * refuse new ones for a while (`refusing`), and give up on a client that reads too slowly
 * (`maxQueued`), as Yellowstone does.
 *
 * `SubscribeDeshred` is served only when started with `deshred: true`; otherwise grpc-js answers
 * it UNIMPLEMENTED, as an endpoint without the method does. Deshred updates are live only
 * (the method has no `from_slot`).
 */
interface Open {
  readonly call: grpc.ServerDuplexStream<SubscribeRequest, SubscribeUpdate>;
  request: SubscribeRequest | undefined;
  /** Writes made since the client stopped draining. */
  queued: number;
}

const decodeAddress = getAddressDecoder();
const encodeAddress = getAddressEncoder();

export class LocalGeyser {
  /** Every update sent, oldest first, with the slot it is about: what a replay serves. */
  readonly history: Array<{ slot: number; update: SubscribeUpdate }> = [];
  /** Every request received (filters, replays, pings), in order. */
  readonly requests: SubscribeRequest[] = [];
  /** A client this many writes behind is dropped, as Yellowstone drops a lagging client. */
  maxQueued = Number.POSITIVE_INFINITY;
  /** Streams dropped because their client fell behind. */
  laggedDrops = 0;
  /** While set, every new stream is ended at once with UNAVAILABLE (a server restarting). */
  refusing = false;
  private readonly open = new Set<Open>();
  /** Deshred streams and the filters each asked for. */
  private readonly deshredOpen = new Map<
    grpc.ServerDuplexStream<SubscribeDeshredRequest, SubscribeUpdateDeshred>,
    SubscribeDeshredRequest | undefined
  >();
  /** Every SubscribeDeshred request received (filters, pings). */
  readonly deshredRequests: SubscribeDeshredRequest[] = [];
  /** SubscribeDeshred calls received, answered or not. */
  deshredCalls = 0;

  private constructor(
    private readonly server: grpc.Server,
    readonly url: string,
  ) {}

  static async start(options: { deshred?: boolean } = {}): Promise<LocalGeyser> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err === null ? resolve(p) : reject(err),
      ),
    );
    const geyser = new LocalGeyser(server, `http://127.0.0.1:${port}`);
    const deshred = {
      subscribeDeshred: {
        path: '/geyser.Geyser/SubscribeDeshred',
        requestStream: true,
        responseStream: true,
        requestSerialize: (m: SubscribeDeshredRequest) =>
          Buffer.from(SubscribeDeshredRequest.encode(m).finish()),
        requestDeserialize: (b: Buffer) => SubscribeDeshredRequest.decode(b),
        responseSerialize: (m: SubscribeUpdateDeshred) =>
          Buffer.from(SubscribeUpdateDeshred.encode(m).finish()),
        responseDeserialize: (b: Buffer) => SubscribeUpdateDeshred.decode(b),
      },
    };
    server.addService(
      {
        ...(options.deshred === true ? deshred : {}),
        subscribe: {
          path: '/geyser.Geyser/Subscribe',
          requestStream: true,
          responseStream: true,
          requestSerialize: (m: SubscribeRequest) =>
            Buffer.from(SubscribeRequest.encode(m).finish()),
          requestDeserialize: (b: Buffer) => SubscribeRequest.decode(b),
          responseSerialize: (m: SubscribeUpdate) =>
            Buffer.from(SubscribeUpdate.encode(m).finish()),
          responseDeserialize: (b: Buffer) => SubscribeUpdate.decode(b),
        },
      },
      {
        subscribe: (call: Open['call']) => geyser.onSubscribe(call),
        ...(options.deshred === true
          ? {
              subscribeDeshred: (
                call: grpc.ServerDuplexStream<SubscribeDeshredRequest, SubscribeUpdateDeshred>,
              ) => geyser.onDeshred(call),
            }
          : {}),
      },
    );
    return geyser;
  }

  /** The client the feed uses in production, pointed here. */
  connector(): GeyserConnector {
    return yellowstoneConnector(this.url);
  }

  get streams(): number {
    return this.open.size;
  }

  /** Sends `update` (stamped now) to every stream whose filters take it, and keeps it. */
  send(update: Omit<SubscribeUpdate, 'createdAt'>, slot: number): void {
    const stamped: SubscribeUpdate = { ...update, createdAt: new Date() };
    this.history.push({ slot, update: stamped });
    for (const o of this.open) if (o.request !== undefined) this.write(o, stamped);
  }

  /** An account update, as the validator reports the account after `slot`. */
  account(address: string, owner: string, data: Uint8Array, slot: number, writeVersion = 0): void {
    this.send(
      {
        filters: ['watched'],
        account: {
          slot: String(slot),
          isStartup: false,
          account: {
            pubkey: new Uint8Array(encodeAddress.encode(address as never)),
            lamports: '2039280',
            owner: new Uint8Array(encodeAddress.encode(owner as never)),
            executable: false,
            rentEpoch: '0',
            data,
            writeVersion: String(writeVersion),
          },
        },
      },
      slot,
    );
  }

  slot(slot: number): void {
    this.send(
      { filters: ['slots'], slot: { slot: String(slot), parent: String(slot - 1), status: 0 } },
      slot,
    );
  }

  /** Open SubscribeDeshred streams that have sent their filters. */
  get deshredStreams(): number {
    return [...this.deshredOpen.values()].filter((r) => r !== undefined).length;
  }

  /** Sends a deshred update (stamped now) to every deshred stream whose filters take it. */
  sendDeshred(update: Omit<SubscribeUpdateDeshred, 'createdAt'>): void {
    const stamped: SubscribeUpdateDeshred = { ...update, createdAt: new Date() };
    const t = stamped.deshredTransaction?.transaction;
    const keys = [
      ...(t?.transaction?.message?.accountKeys ?? []),
      ...(t?.loadedWritableAddresses ?? []),
      ...(t?.loadedReadonlyAddresses ?? []),
    ].map((k) => decodeAddress.decode(k) as string);
    for (const [call, request] of this.deshredOpen) {
      const takes = Object.values(request?.deshredTransactions ?? {}).some((f) =>
        f.accountInclude.some((a) => keys.includes(a)),
      );
      if (takes) call.write(stamped);
    }
  }

  /** Ends every open stream with UNAVAILABLE, as a server restart or a network cut would. */
  dropStreams(): void {
    for (const o of this.open) this.end(o, grpc.status.UNAVAILABLE, 'dropped by the test');
    for (const call of this.deshredOpen.keys()) {
      this.deshredOpen.delete(call);
      call.emit(
        'error',
        Object.assign(new Error('dropped by the test'), { code: grpc.status.UNAVAILABLE }),
      );
    }
  }

  async close(): Promise<void> {
    this.dropStreams();
    this.server.forceShutdown();
  }

  private onDeshred(
    call: grpc.ServerDuplexStream<SubscribeDeshredRequest, SubscribeUpdateDeshred>,
  ): void {
    this.deshredCalls++;
    this.deshredOpen.set(call, undefined);
    call.sendMetadata(new grpc.Metadata());
    call.on('data', (req: SubscribeDeshredRequest) => {
      this.deshredRequests.push(req);
      if (req.ping !== undefined) {
        call.write({ filters: [], pong: { id: req.ping.id }, createdAt: new Date() });
        return;
      }
      this.deshredOpen.set(call, req);
    });
    const forget = () => this.deshredOpen.delete(call);
    call.on('end', () => {
      forget();
      call.end();
    });
    call.on('error', forget);
    call.on('cancelled', forget);
  }

  private onSubscribe(call: Open['call']): void {
    const o: Open = { call, request: undefined, queued: 0 };
    this.open.add(o);
    if (this.refusing) {
      this.end(o, grpc.status.UNAVAILABLE, 'the server is not taking streams');
      return;
    }
    // Headers at once, as a tonic server sends them: the client's subscribe waits for them.
    call.sendMetadata(new grpc.Metadata());
    call.on('drain', () => {
      o.queued = 0;
    });
    call.on('data', (req: SubscribeRequest) => {
      this.requests.push(req);
      if (req.ping !== undefined) {
        call.write({ filters: [], pong: { id: req.ping.id }, createdAt: new Date() });
        return;
      }
      o.request = req;
      if (req.fromSlot !== undefined) {
        const from = Number(req.fromSlot);
        for (const h of this.history) if (h.slot >= from) this.write(o, h.update);
      }
    });
    const forget = () => this.open.delete(o);
    call.on('end', () => {
      forget();
      call.end();
    });
    call.on('error', forget);
    call.on('cancelled', forget);
  }

  private write(o: Open, update: SubscribeUpdate): void {
    if (!this.takes(o.request, update)) return;
    if (o.queued >= this.maxQueued) {
      this.laggedDrops++;
      this.end(o, grpc.status.RESOURCE_EXHAUSTED, 'client lagged: its queue is full');
      return;
    }
    if (!o.call.write(update)) o.queued++;
  }

  private end(o: Open, code: grpc.status, details: string): void {
    if (!this.open.delete(o)) return;
    // grpc-js turns an 'error' on a server stream into its status, sent after what is queued.
    o.call.emit('error', Object.assign(new Error(details), { code, details }));
  }

  /** Whether `request`'s filters take `update` (accounts by address, transactions by account). */
  private takes(request: SubscribeRequest | undefined, update: SubscribeUpdate): boolean {
    if (request === undefined) return false;
    if (update.account?.account !== undefined) {
      const address = decodeAddress.decode(update.account.account.pubkey);
      return Object.values(request.accounts).some((f) => f.account.includes(address));
    }
    if (update.slot !== undefined) return Object.keys(request.slots).length > 0;
    if (update.transaction?.transaction !== undefined) {
      const t = update.transaction.transaction;
      const keys = [
        ...(t.transaction?.message?.accountKeys ?? []),
        ...(t.meta?.loadedWritableAddresses ?? []),
        ...(t.meta?.loadedReadonlyAddresses ?? []),
      ].map((k) => decodeAddress.decode(k) as string);
      return Object.values(request.transactions).some((f) =>
        f.accountInclude.some((a) => keys.includes(a)),
      );
    }
    return true;
  }
}
