import { connect } from 'node:http2';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { LandfallError } from '../errors.js';

/**
 * The one call Landfall makes on the Jito block engine's searcher gRPC service:
 * `searcher.SearcherService/GetConnectedLeaders` (jito-labs/mev-protos `searcher.proto`,
 * "Returns leader slots for connected jito validators during the current epoch. Only returns
 * data for this region."). The block engine's JSON-RPC API (`json_rpc/http.md`: getTipAccounts,
 * sendBundle, getBundleStatuses, getInflightBundleStatuses) has no leader method; the gRPC one
 * needs no authentication for basic access (Jito's searcher client documents a no-auth client,
 * 5 requests/s per region). The same host serves both, gRPC over HTTP/2.
 *
 * A unary gRPC call is small enough to make with Node's own HTTP/2 client, so production loads
 * no gRPC library for it: a POST of one length-prefixed message with `content-type:
 * application/grpc`, answered by length-prefixed messages and a `grpc-status` trailer.
 */
export const GET_CONNECTED_LEADERS = '/searcher.SearcherService/GetConnectedLeaders';

/** gRPC status codes the caller acts on (grpc/doc/statuscodes.md). */
export const GRPC_UNIMPLEMENTED = 12;

/** A call answered with a non-OK `grpc-status`. */
export class GrpcStatusError extends LandfallError {
  constructor(
    readonly url: string,
    readonly grpcCode: number,
    detail: string,
  ) {
    super('LF_SOLANA_RPC', `${url}: gRPC status ${grpcCode} (${detail})`);
  }
}

/** `ConnectedLeadersResponse`: each connected validator's identity → its leader slots. */
export type ConnectedLeaders = ReadonlyMap<string, readonly number[]>;

/** Calls `path` at `url` (http:// for h2c, https:// for TLS) with `request`; the reply's bytes. */
export function grpcUnary(
  url: string,
  path: string,
  request: Uint8Array,
  timeoutMs: number,
): Promise<Uint8Array> {
  const origin = new URL(url).origin;
  return new Promise((resolve, reject) => {
    const session = connect(origin);
    const fail = (err: Error) => {
      session.destroy();
      reject(
        err instanceof LandfallError
          ? err
          : new LandfallError('LF_SOLANA_RPC', `${origin}${path}: ${err.message}`, { cause: err }),
      );
    };
    session.on('error', fail);
    session.setTimeout(timeoutMs, () =>
      fail(new Error(`no answer within ${timeoutMs} ms (live.timeouts.requestMs)`)),
    );
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message = '';
    const statusOf = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined)
        message = percentDecoded(String(headers['grpc-message']));
    };
    stream.on('response', (headers) => {
      const http = Number(headers[':status']);
      if (http !== 200) fail(new Error(`HTTP ${http}; is this a gRPC endpoint?`));
      // A trailers-only answer (an error) carries its status in the headers.
      statusOf(headers);
    });
    stream.on('trailers', statusOf);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', fail);
    stream.on('end', () => {
      session.close();
      if (status !== '0') {
        fail(new GrpcStatusError(`${origin}${path}`, Number(status ?? 2), message || 'no status'));
        return;
      }
      try {
        resolve(firstMessage(Buffer.concat(chunks)));
      } catch (err) {
        fail(err as Error);
      }
    });
    const frame = Buffer.alloc(5 + request.length);
    frame.writeUInt32BE(request.length, 1);
    frame.set(request, 5);
    stream.end(frame);
  });
}

/** The first length-prefixed message of a gRPC body (flag byte 0: not compressed). */
function firstMessage(body: Buffer): Uint8Array {
  if (body.length < 5) throw new Error('the answer holds no message');
  if (body[0] !== 0) throw new Error('the answer is compressed, which was not asked for');
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new Error('the answer was cut short');
  return body.subarray(5, 5 + length);
}

/**
 * Decodes `ConnectedLeadersResponse { map<string, SlotList> connected_validators = 1; }` with
 * `SlotList { repeated uint64 slots = 1; }`: a map entry is a message (key 1, value 2), slots may
 * come packed or not; unknown fields are skipped, as protobuf readers must.
 */
export function decodeConnectedLeaders(bytes: Uint8Array): ConnectedLeaders {
  const out = new Map<string, number[]>();
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field !== 1 || wire !== WireType.LengthDelimited) {
      r.skip(wire, field);
      continue;
    }
    const entry = new BinaryReader(r.bytes());
    let key = '';
    let slots: number[] = [];
    while (entry.pos < entry.len) {
      const [f, w] = entry.tag();
      if (f === 1 && w === WireType.LengthDelimited) key = entry.string();
      else if (f === 2 && w === WireType.LengthDelimited) slots = slotList(entry.bytes());
      else entry.skip(w, f);
    }
    out.set(key, slots);
  }
  return out;
}

function slotList(bytes: Uint8Array): number[] {
  const slots: number[] = [];
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [f, w] = r.tag();
    if (f === 1 && w === WireType.Varint) slots.push(Number(r.uint64()));
    else if (f === 1 && w === WireType.LengthDelimited) {
      const packed = new BinaryReader(r.bytes());
      while (packed.pos < packed.len) slots.push(Number(packed.uint64()));
    } else r.skip(w, f);
  }
  return slots;
}

/**
 * grpc-message is percent-encoded, but a proxy may send a bare "%": decodeURIComponent would
 * throw inside an http2 listener (an uncaught exception), so the raw text is kept instead.
 */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
