import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../../errors.js';
import { endpointsOf, grpcTokenOf, liveConfigSchema } from '../config.js';

/** The feed is chosen in the config: PubSub by default, gRPC only with its endpoint named. */
const named = {
  rpcUrl: 'http://127.0.0.1:1',
  wsUrl: 'ws://127.0.0.1:1',
  blockEngineUrl: 'http://127.0.0.1:1',
  tipFloorUrl: 'http://127.0.0.1:1/tip',
};

describe('live.feed', () => {
  it('defaults to websocket, needing no gRPC endpoint', () => {
    const live = liveConfigSchema.parse(named);
    expect(live.feed).toBe('websocket');
    expect(live.grpc.maxLagMs).toBe(400);
    expect(endpointsOf(live)).not.toHaveProperty('grpcUrl');
  });

  it('grpc names live.grpcUrl among the missing endpoints until it is set', () => {
    expect(endpointsOf(liveConfigSchema.parse({ ...named, feed: 'grpc' }))).toEqual([
      'live.grpcUrl',
    ]);
    const live = liveConfigSchema.parse({ ...named, feed: 'grpc', grpcUrl: 'http://127.0.0.1:2' });
    expect(endpointsOf(live)).toMatchObject({ grpcUrl: 'http://127.0.0.1:2' });
  });

  it('refuses a token given inline rather than by variable name, and an unknown feed', () => {
    expect(() => liveConfigSchema.parse({ ...named, grpcTokenEnv: 'abc-secret' })).toThrow(
      'environment variable name',
    );
    expect(() => liveConfigSchema.parse({ ...named, feed: 'laserstream' })).toThrow();
  });

  it('reads the token from the named variable, and refuses when it is unset', () => {
    const live = liveConfigSchema.parse({
      ...named,
      feed: 'grpc',
      grpcUrl: 'http://127.0.0.1:2',
      grpcTokenEnv: 'GEYSER_TOKEN',
    });
    expect(grpcTokenOf(live, { GEYSER_TOKEN: 't0k' })).toEqual({ grpcToken: 't0k' });
    let err: unknown;
    try {
      grpcTokenOf(live, {});
    } catch (e) {
      err = e;
    }
    expect(isLandfallError(err, 'LF_SOLANA_CONFIG')).toBe(true);
    expect((err as Error).message).toContain('GEYSER_TOKEN');
  });
});
