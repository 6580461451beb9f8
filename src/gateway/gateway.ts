import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { WriteBudget } from '../api/write-budget.js';
import { AuditLedger } from '../audit/ledger.js';
import { controlSignerFrom } from '../auth/control-signature.js';
import type { TokenVerifier } from '../auth/verify.js';
import type { TopicMessage } from '../bus/topics.js';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { type ForwardedTopic, forwardedTopics, frameOf } from './envelope.js';
import { Hub } from './hub.js';
import { DEFAULT_WEB_DIR, serveDashboard } from './static.js';
import type { Transport } from './transport.js';
import { attachWebSocket } from './websocket.js';
import { startWebTransport } from './webtransport.js';

export interface GatewayDeps {
  readonly config: Config;
  readonly bus: TypedBus;
  /** The API's verifier (src/auth/verify.ts): one set of rules for REST and sockets. */
  readonly verifier: TokenVerifier;
  readonly log: Logger;
  /** Defaults to a ledger on `bus`. */
  readonly ledger?: AuditLedger;
}

export interface Gateway {
  readonly hub: Hub;
  readonly transports: readonly Transport[];
  /** Banner lines for a server at `baseUrl`: transports, dashboard, why WebTransport is off. */
  lines(baseUrl: string): string[];
  stop(): Promise<void>;
}

/**
 * Adds the gateway to a Fastify app that is not listening yet (the API's, in `landfall up`):
 * the dashboard at `/`, the WebSocket at `gateway.path`, and one bus subscription per forwarded
 * topic in a group of its own (every gateway process sees every message).
 */
export async function attachGateway(app: FastifyInstance, deps: GatewayDeps): Promise<Gateway> {
  const { config, log } = deps;
  const gw = config.gateway;
  const webDir =
    gw.webDir === ''
      ? DEFAULT_WEB_DIR
      : isAbsolute(gw.webDir)
        ? gw.webDir
        : resolve(config.home, gw.webDir);
  const dashboard = serveDashboard(app, webDir);
  const hub = new Hub({
    limits: { ...gw.queue, sampling: gw.sampling },
    flushMs: gw.queue.flushMs,
    log,
  });
  const ledger = deps.ledger ?? new AuditLedger(deps.bus);
  const commands = {
    control: { bus: deps.bus, ledger, signer: controlSignerFrom(config) },
    log,
    // On the API's server the API's budget replaces this one (websocket.ts), so REST and
    // socket writes share it; a gateway on its own keeps the same limits for its sockets.
    budget: new WriteBudget(config.api.writeRateLimit, ledger),
    maxDepth: config.api.bodyMaxDepth,
  };
  const transports: Transport[] = [
    attachWebSocket({
      server: app.server,
      path: gw.path,
      heartbeatMs: gw.heartbeatMs,
      maxClientMessageBytes: gw.maxClientMessageBytes,
      url: gw.path,
      hub,
      verifier: deps.verifier,
      commands,
      log,
    }),
  ];
  const wt = await startWebTransport(config, { hub, verifier: deps.verifier, commands, log });
  if (wt.transport) transports.push(wt.transport);
  else log.warn({ reason: wt.note }, 'WebTransport disabled');

  const group = `gateway-${process.pid}-${randomUUID().slice(0, 8)}`;
  const subscriptions: Subscription[] = [];
  try {
    for (const topic of forwardedTopics) {
      subscriptions.push(
        await deps.bus.subscribe(
          topic,
          async (message) => hub.broadcast(frameOf(topic, message as TopicMessage<ForwardedTopic>)),
          // This process's own group: transient, so no consumer outlives the gateway.
          { group, start: 'latest', transient: true },
        ),
      );
    }
  } catch (err) {
    await Promise.all(subscriptions.map((s) => s.close()));
    hub.close();
    await Promise.all(transports.map((t) => t.stop()));
    throw err;
  }
  const lines = (baseUrl: string) => [
    `  gateway ${transports
      .map(
        (t) =>
          `${t.name} ${t.detail.startsWith('/') ? baseUrl.replace(/^http/, 'ws') : ''}${t.detail}`,
      )
      .join(', ')} ← ${forwardedTopics.join(', ')}`,
    ...(wt.transport ? [] : [`  gateway ${wt.note}`]),
    ...(dashboard.ok ? [] : [`  dashboard not built (${dashboard.dir}): run npm run build:web`]),
  ];
  let stopping: Promise<void> | undefined;
  return {
    hub,
    transports,
    lines,
    stop() {
      stopping ??= (async () => {
        await Promise.all(subscriptions.map((s) => s.close()));
        hub.close();
        await Promise.all(transports.map((t) => t.stop()));
      })();
      return stopping;
    },
  };
}

export interface StandaloneGateway extends Gateway {
  readonly url: string;
  readonly app: FastifyInstance;
}

/** `landfall gateway`: the gateway on its own Fastify server at gateway.host:port. */
export async function startGateway(deps: GatewayDeps): Promise<StandaloneGateway> {
  const { host, port } = deps.config.gateway;
  const app = Fastify({ logger: false });
  const gateway = await attachGateway(app, deps);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  return {
    ...gateway,
    url,
    app,
    async stop() {
      await gateway.stop();
      await app.close();
    },
  };
}
