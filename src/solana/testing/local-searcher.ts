import { BinaryWriter } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { GET_CONNECTED_LEADERS } from '../searcher-grpc.js';

/**
 * The Jito block engine's searcher gRPC service on loopback, served by grpc-js (an independent
 * gRPC implementation, so the node:http2 client is tested against a real peer): only
 * `GetConnectedLeaders`, answering `connected` (identity → leader slots) as mev-protos'
 * `ConnectedLeadersResponse`, written field by field here. `failWith` answers a gRPC status
 * instead (UNIMPLEMENTED for a block engine without the method, UNAUTHENTICATED, …).
 */
export class LocalSearcher {
  connected = new Map<string, number[]>();
  failWith: grpc.status | undefined;
  calls = 0;

  private constructor(
    private readonly server: grpc.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LocalSearcher> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err === null ? resolve(p) : reject(err),
      ),
    );
    const searcher = new LocalSearcher(server, `http://127.0.0.1:${port}`);
    server.addService(
      {
        getConnectedLeaders: {
          path: GET_CONNECTED_LEADERS,
          requestStream: false,
          responseStream: false,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (b: Uint8Array) => Buffer.from(b),
          responseDeserialize: (b: Buffer) => b,
        },
      },
      {
        getConnectedLeaders: (
          _call: grpc.ServerUnaryCall<Buffer, Uint8Array>,
          done: grpc.sendUnaryData<Uint8Array>,
        ) => {
          searcher.calls++;
          if (searcher.failWith !== undefined) {
            done({ code: searcher.failWith, details: 'refused by the test' });
            return;
          }
          done(null, encodeConnectedLeaders(searcher.connected));
        },
      },
    );
    return searcher;
  }

  async close(): Promise<void> {
    this.server.forceShutdown();
  }
}

/** `ConnectedLeadersResponse`: map entries (key 1, value 2 = `SlotList { repeated uint64 slots = 1 }`, packed). */
export function encodeConnectedLeaders(connected: ReadonlyMap<string, readonly number[]>) {
  const w = new BinaryWriter();
  for (const [identity, slots] of connected) {
    w.tag(1, 2).fork();
    w.tag(1, 2).string(identity);
    w.tag(2, 2).fork();
    if (slots.length > 0) {
      w.tag(1, 2).fork();
      for (const s of slots) w.uint64(s);
      w.join();
    }
    w.join();
    w.join();
  }
  return w.finish();
}
