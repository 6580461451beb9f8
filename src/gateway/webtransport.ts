import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { describeError, LandfallError } from '../errors.js';
import { authenticate } from './auth.js';
import { handleClientMessage } from './commands.js';
import type { Transport, TransportDeps } from './transport.js';

export const WEBTRANSPORT_PACKAGE = '@fails-components/webtransport';

/** The few parts of `@fails-components/webtransport` this transport touches. */
interface H3Session {
  readonly ready: Promise<void>;
  readonly closed: Promise<unknown>;
  readonly incomingBidirectionalStreams: ReadableStream<{
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  }>;
  createUnidirectionalStream(): Promise<WritableStream<Uint8Array>>;
  close(info?: { closeCode?: number; reason?: string }): void;
}
interface H3Server {
  startServer(): void;
  stopServer(): void;
  sessionStream(path: string): Promise<ReadableStream<H3Session>>;
}
type H3Module = {
  Http3Server: new (o: {
    port: number;
    host: string;
    secret: string;
    cert: string;
    privKey: string;
  }) => H3Server;
};

/**
 * HTTP/3 WebTransport, when the optional package is installed and a certificate is configured.
 * Protocol, per session: the client opens one bidirectional stream and writes its token as the
 * first line; only after it verifies does the server open a unidirectional stream carrying
 * Envelopes, each prefixed by its length (u32 big-endian). Further lines on the bidirectional
 * stream are JSON messages as on the WebSocket (`commands.ts`), answered there, one per line.
 */
export async function startWebTransport(
  config: Config,
  deps: TransportDeps,
): Promise<{ transport?: Transport; note: string }> {
  const wt = config.gateway.webtransport;
  if (!wt.enabled) return { note: 'WebTransport off (gateway.webtransport.enabled=false)' };
  let mod: H3Module;
  try {
    mod = (await import(WEBTRANSPORT_PACKAGE)) as H3Module;
  } catch {
    return {
      note: `WebTransport unavailable: ${WEBTRANSPORT_PACKAGE} is not installed; serving WebSocket only`,
    };
  }
  const file = (f: string) => (isAbsolute(f) ? f : resolve(config.home, f));
  const [certFile, keyFile] = [file(wt.certFile), file(wt.keyFile)];
  if (!existsSync(certFile) || !existsSync(keyFile))
    return {
      note: `WebTransport unavailable: no certificate at ${certFile} / ${keyFile} (see README, Dashboard); serving WebSocket only`,
    };
  const server = new mod.Http3Server({
    port: wt.port,
    host: config.gateway.host,
    secret: crypto.randomUUID(),
    cert: readFileSync(certFile, 'utf8'),
    privKey: readFileSync(keyFile, 'utf8'),
  });
  server.startServer();
  const sessions = await server.sessionStream(config.gateway.path);
  const open = new Set<H3Session>();
  void (async () => {
    const reader = sessions.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      open.add(value);
      value.closed.finally(() => open.delete(value)).catch(() => undefined);
      serveSession(value, deps).catch((err: unknown) => {
        deps.log.info({ reason: describeError(err) }, 'webtransport session refused');
        value.close({ closeCode: 4401, reason: 'unauthenticated' });
      });
    }
  })();
  return {
    transport: {
      name: 'webtransport',
      detail: `https://${config.gateway.host}:${wt.port}${config.gateway.path} (HTTP/3)`,
      async stop() {
        for (const s of open) s.close({ closeCode: 1001, reason: 'gateway stopping' });
        server.stopServer();
      },
    },
    note: 'WebTransport on',
  };
}

async function serveSession(session: H3Session, deps: TransportDeps): Promise<void> {
  await session.ready;
  const bidi = await session.incomingBidirectionalStreams.getReader().read();
  if (bidi.done)
    throw new LandfallError(
      'LF_AUTH_UNAUTHENTICATED',
      'session closed before it sent a token: send the bearer token as the first line of the first bidirectional stream',
    );
  const lines = readLines(bidi.value.readable);
  const first = await lines.next();
  if (first.done)
    throw new LandfallError(
      'LF_AUTH_UNAUTHENTICATED',
      'no token line: send the bearer token as the first line of the first bidirectional stream',
    );
  const auth = await authenticate(
    deps.verifier,
    { authorization: `Bearer ${first.value.trim()}` },
    new URL('https://gateway.invalid/'),
  );
  const replies = bidi.value.writable.getWriter();
  const frames = (await session.createUnidirectionalStream()).getWriter();
  let buffered = 0;
  const client = deps.hub.add(auth.principal, auth.expiresAtMs, 'webtransport', {
    get bufferedBytes() {
      return buffered;
    },
    send(bytes) {
      const framed = new Uint8Array(4 + bytes.length);
      new DataView(framed.buffer).setUint32(0, bytes.length);
      framed.set(bytes, 4);
      buffered += framed.length;
      frames.write(framed).then(
        () => (buffered -= framed.length),
        () => undefined,
      );
    },
    close: (code, reason) => session.close({ closeCode: code, reason }),
  });
  session.closed.finally(() => deps.hub.remove(client, 1000, 'session closed')).catch(() => {});
  const encoder = new TextEncoder();
  for await (const line of lines) {
    const reply = await handleClientMessage(deps.commands, client.principal, line, false);
    await replies.write(encoder.encode(`${JSON.stringify(reply)}\n`));
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  }
  if (pending !== '') yield pending;
}
