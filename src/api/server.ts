import type { FastifyInstance } from 'fastify';
import { type ApiDeps, createApiApp } from './app.js';

export interface RunningApi {
  /** e.g. http://127.0.0.1:8787 (the port actually bound when config.api.port is 0). */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops listening, lets requests in flight finish, closes the bus views. */
  stop(): Promise<void>;
}

export interface StartApiOptions {
  /**
   * Called with the app before it listens, for routes that share the server (the gateway's
   * `/ws`, the dashboard's files): Fastify accepts no routes once it is listening.
   */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

/** Builds the control-plane app and listens on config.api.host:port. */
export async function startApi(deps: ApiDeps, options: StartApiOptions = {}): Promise<RunningApi> {
  const app = await createApiApp(deps);
  try {
    await options.extend?.(app);
    await app.listen({ host: deps.config.api.host, port: deps.config.api.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.api.port;
  const host = deps.config.api.host.includes(':')
    ? `[${deps.config.api.host}]`
    : deps.config.api.host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    app,
    stop: () => {
      stopping ??= app.close();
      return stopping;
    },
  };
}
