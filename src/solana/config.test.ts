import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { isLandfallError } from '../errors.js';
import { endpointsOf } from './config.js';
import { requireEndpoints } from './stack.js';

describe('live config section', () => {
  it('has no endpoint by default, so live refuses until each is named', () => {
    const { config } = loadConfig({ env: {}, cwd: '/nonexistent' });
    expect(endpointsOf(config.live)).toEqual([
      'live.rpcUrl',
      'live.wsUrl',
      'live.blockEngineUrl',
      'live.tipFloorUrl',
    ]);
    const err = (() => {
      try {
        requireEndpoints(config.live);
      } catch (e) {
        return e;
      }
    })();
    expect(isLandfallError(err, 'LF_SOLANA_CONFIG')).toBe(true);
  });

  it('takes endpoints from the environment (LANDFALL_LIVE__*) like any other section', () => {
    const env = {
      LANDFALL_LIVE__RPC_URL: 'https://rpc.example.org',
      LANDFALL_LIVE__WS_URL: 'wss://rpc.example.org',
      LANDFALL_LIVE__BLOCK_ENGINE_URL: 'https://block-engine.example.org',
      LANDFALL_LIVE__TIP_FLOOR_URL: 'https://tips.example.org/tip_floor',
    };
    const { config } = loadConfig({ env, cwd: '/nonexistent' });
    expect(endpointsOf(config.live)).toEqual({
      rpcUrl: 'https://rpc.example.org',
      wsUrl: 'wss://rpc.example.org',
      blockEngineUrl: 'https://block-engine.example.org',
      tipFloorUrl: 'https://tips.example.org/tip_floor',
      simulateBundleUrl: 'https://rpc.example.org',
    });
  });

  it('names the field at fault', () => {
    const bad = (overrides: Record<string, unknown>) => {
      try {
        loadConfig({ env: {}, cwd: '/nonexistent', overrides: { live: overrides } });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected LF_CONFIG_INVALID');
    };
    expect(bad({ wsUrl: 'http://not-a-socket' }).message).toMatch(/live\.wsUrl.*ws\(s\):\/\//);
    expect(bad({ pools: [{ address: 'not base58!' }] }).message).toMatch(
      /live\.pools\.0\.address.*base58/,
    );
    expect(bad({ keypairEnv: 'lower-case' }).message).toMatch(/live\.keypairEnv/);
    expect(bad({ caps: { dailyLossLimitLamports: 0 } }).message).toMatch(
      /live\.caps\.dailyLossLimitLamports/,
    );
    expect(bad({ lookupTable: 'not base58!' }).message).toMatch(/live\.lookupTable.*base58/);
    expect(bad({ chainToleranceBps: 101 }).message).toMatch(/live\.chainToleranceBps/);
    expect(bad({ profitMarginLamports: -1 }).message).toMatch(/live\.profitMarginLamports/);
  });

  it('guards every trade by default: a profit margin, a chain tolerance, a one-slot blockhash', () => {
    const { config } = loadConfig({ env: {}, cwd: '/nonexistent' });
    expect(config.live).toMatchObject({
      profitMarginLamports: 10_000,
      chainToleranceBps: 1,
      blockhashRefreshMs: 400,
      wsolTargetLamports: 1_000_000_000,
    });
    expect(config.live.lookupTable).toBeUndefined();
  });
});
