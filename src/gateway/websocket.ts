import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { controlPlaneOf } from '../api/write-budget.js';
import { describeError, isLandfallError } from '../errors.js';
import { authenticate, SUBPROTOCOL } from './auth.js';
import { type CommandDeps, handleClientMessage } from './commands.js';
import type { Client } from './hub.js';
import type { Transport, TransportDeps } from './transport.js';

export interface WebSocketOptions extends TransportDeps {
  /** The HTTP server to take upgrades from (the API's Fastify server, or the gateway's own). */
  readonly server: Server;
  readonly path: string;
  readonly heartbeatMs: number;
  readonly maxClientMessageBytes: number;
  /** For the banner: the path, e.g. "/ws" (the host is the server's). */
  readonly url: string;
}

/**
 * WebSocket transport on an existing HTTP server. The token is verified on the HTTP upgrade
 * request, before the handshake completes: a caller without a valid token gets `401` and a closed
 * socket, never a WebSocket. Heartbeats: a ping every `heartbeatMs`; a peer that has not answered
 * the previous one is terminated.
 */
export function attachWebSocket(options: WebSocketOptions): Transport {
  const { hub, log } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxClientMessageBytes,
    perMessageDeflate: false,
    // Echo only our own protocol: the bearer.<jwt> entry must never come back in a response.
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  const alive = new WeakMap<WebSocket, boolean>();
  // On the API's server, commands share its write budget, SLO view and body limits; looked up
  // per message, since the gateway may attach before the API shares them.
  const commandDeps = (): CommandDeps => {
    const plane = controlPlaneOf(options.server);
    if (plane === undefined) return options.commands;
    return {
      ...options.commands,
      budget: plane.budget,
      maxDepth: plane.maxDepth,
      control: {
        ...options.commands.control,
        ledger: plane.ledger,
        ...(plane.slo ? { sloView: plane.slo } : {}),
        ...(plane.durableStore ? { durableStore: plane.durableStore } : {}),
      },
    };
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Only the path is ever logged: the query may hold a token.
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== options.path) {
      refuse(socket, 404, 'Not Found', `no WebSocket endpoint at ${url.pathname}`);
      return;
    }
    socket.on('error', () => socket.destroy());
    authenticate(options.verifier, req.headers, url).then(
      (auth) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => {
          const raw = (ws as unknown as WithSocket)._socket;
          const client = hub.add(auth.principal, auth.expiresAtMs, 'websocket', {
            get bufferedBytes() {
              return ws.bufferedAmount;
            },
            send: (bytes) => {
              // Like ws.send, nothing goes out once the close handshake has begun.
              if (ws.readyState !== ws.OPEN) return;
              if (raw) raw.write(binaryFrame(bytes));
              else ws.send(bytes, { binary: true });
            },
            close: (code, reason) => ws.close(code, reason),
            cork: () => raw?.cork(),
            uncork: () => raw?.uncork(),
          });
          serve(ws, client);
        });
      },
      (err: unknown) => {
        const status = isLandfallError(err) ? err.status : 500;
        log.info(
          { path: url.pathname, reason: describeError(err) },
          'gateway refused a connection',
        );
        refuse(socket, status, status === 401 ? 'Unauthorized' : 'Error', describeError(err));
      },
    );
  };

  const serve = (ws: WebSocket, client: Client) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    // One message at a time per client: commands apply, and are answered, in the order sent.
    let queue = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      alive.set(ws, true);
      const bytes = Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data as Buffer);
      queue = queue.then(async () => {
        const reply = await handleClientMessage(commandDeps(), client.principal, bytes, isBinary);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
    ws.on('close', (code, reason) => hub.remove(client, code, reason.toString()));
    ws.on('error', (err) =>
      log.warn({ client: client.id, err: err.message }, 'gateway socket error'),
    );
  };

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        log.info('gateway peer missed a heartbeat; terminating');
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  options.server.on('upgrade', onUpgrade);
  return {
    name: 'websocket',
    detail: options.url,
    async stop() {
      clearInterval(heartbeat);
      options.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** What of ws's internals the fan-out uses: the connection's socket (ws keeps it as `_socket`). */
interface WithSocket {
  _socket?: Duplex;
}

/** Each broadcast payload framed once, shared by every client that is sent it. */
const framed = new WeakMap<Uint8Array, Buffer>();

/**
 * A complete unmasked binary WebSocket frame (FIN, opcode 2) of `bytes`, built on the first
 * client's send and reused for the rest: ws.send would build a header and make a write per
 * client. Written straight to the socket between ws's own frames (pings, command replies),
 * which is safe because ws sends those synchronously, without compression or queueing.
 */
export function binaryFrame(bytes: Uint8Array): Buffer {
  const cached = framed.get(bytes);
  if (cached) return cached;
  const n = bytes.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x82;
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  frame.set(bytes, head);
  framed.set(bytes, frame);
  return frame;
}

function refuse(socket: Duplex, status: number, text: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      (status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
