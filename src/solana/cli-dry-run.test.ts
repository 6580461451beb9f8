import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import { type BundleOutcome, Decision, type Opportunity } from '../gen/landfall/v1/realtime_pb.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { NatsServer } from '../testing/servers.js';
import { loadWallet } from './keypair.js';
import { LocalCluster } from './testing/local-cluster.js';
import { dislocatedPools, vaultWithBalance } from './testing/pool-fixtures.js';
import { holdPools, solanaKeypairJson, until } from './testing/testbed.js';

/**
 * `landfall agent --live --dry-run` as a child process against the local cluster, publishing on
 * a real NATS bus the test reads: opportunities from the subscribed pools, bundles and
 * transactions built, signed and simulated — and nothing ever sent.
 */
describe('landfall agent --live', () => {
  let nats: NatsServer;
  let cluster: LocalCluster;
  let bus: Bus | undefined;
  const procs: LandfallProcess[] = [];
  let cwd: string;
  // One funded wallet for every run: the safety gate reads its SOL and WSOL accounts.
  const keypair = solanaKeypairJson();

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await LocalCluster.start();
    const pools = await dislocatedPools();
    holdPools(cluster, pools);
    const wallet = await loadWallet({ keypairEnv: 'K' }, { K: keypair });
    await cluster.fundWallet(wallet.address, 50_000_000_000n, 5_000_000_000n);
    cwd = mkdtempSync(join(tmpdir(), 'lf-live-cli-'));
    const live = {
      rpcUrl: cluster.rpcUrl,
      wsUrl: cluster.wsUrl,
      blockEngineUrl: cluster.rpcUrl,
      tipFloorUrl: cluster.tipFloorUrl,
      keypairEnv: 'LANDFALL_LIVE_KEYPAIR',
      pools: pools.map((p) => ({ address: p.address })),
      // Generous on a loaded machine: this test is about the pipeline, not staleness.
      timeouts: { statusPollMs: 50, requestMs: 30_000, staleAfterMs: 120_000 },
    };
    writeFileSync(
      join(cwd, 'live.yaml'),
      stringify({ mode: 'live', bus: { kind: 'nats', nats: { servers: [nats.url] } }, live }),
    );
    writeFileSync(
      join(cwd, 'no-endpoints.yaml'),
      stringify({ mode: 'live', live: { keypairEnv: 'LANDFALL_LIVE_KEYPAIR' } }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) await p.kill('SIGTERM');
    await bus?.close();
    await cluster?.close();
    await nats?.dispose();
  });

  const run = (args: string[]) => {
    const p = new LandfallProcess(
      ['agent', '--module', 'arb', ...args],
      { LANDFALL_LOG__LEVEL: 'info', LANDFALL_LIVE_KEYPAIR: keypair },
      cwd,
    );
    procs.push(p);
    return p;
  };

  it('refuses live without the explicit flag, and without every endpoint named', async () => {
    const noFlag = run(['--config', 'live.yaml']);
    expect((await noFlag.exited).code).not.toBe(0);
    expect(noFlag.logs.map((l) => JSON.stringify(l)).join('\n')).toMatch(/pass --live to confirm/);
    const noEndpoints = run(['--config', 'no-endpoints.yaml', '--live', '--dry-run']);
    expect((await noEndpoints.exited).code).not.toBe(0);
    expect(noEndpoints.logs.map((l) => JSON.stringify(l)).join('\n')).toMatch(
      /LF_SOLANA_CONFIG.*missing: live.rpcUrl, live.wsUrl, live.blockEngineUrl, live.tipFloorUrl/,
    );
  }, 60_000);

  it('--dry-run: opportunities from the subscribed pools, simulated bundles, published on the bus, nothing sent', async () => {
    const config = configSchema.parse({ bus: { kind: 'nats', nats: { servers: [nats.url] } } });
    bus = await createBus(config.bus);
    const typed = new TypedBus(bus);
    const opportunities: Opportunity[] = [];
    const outcomes: BundleOutcome[] = [];
    await typed.subscribe('arb-opportunities-proto', async (m) => void opportunities.push(m), {
      group: 't-opps',
    });
    await typed.subscribe('bundle-outcomes-proto', async (m) => void outcomes.push(m), {
      group: 't-outcomes',
    });

    const agent = run(['--config', 'live.yaml', '--live', '--dry-run']);
    await until(() => agent.stdout.includes('stop with Ctrl-C'), 'the banner', 60_000);
    expect(agent.stdout).toMatch(/DRY RUN: bundles and transactions are simulated, never sent/);
    expect(agent.stdout).toMatch(/2 Raydium CP-Swap pools/);
    // 2 pools, 2 configs, 4 vaults, 2 shared mints, and slots (then the wallet's SOL and WSOL
    // accounts, from the first submission on).
    await until(() => cluster.subscriptions >= 11, 'the subscriptions', 60_000);
    // Move the dear pool again and again: each update is a fresh dislocation, sent at most once
    // a slot (a submission that meets a pool torn between slots is refused before its
    // simulation), so keep moving the market until two bundles have been simulated and their
    // outcomes have come back (however slow this machine is).
    const [, high] = await dislocatedPools();
    const simulations = () =>
      cluster.requests.filter(
        (r) =>
          r.method === 'simulateBundle' ||
          (r.method === 'simulateTransaction' &&
            (r.params[1] as { sigVerify?: boolean }).sigVerify === true),
      );
    const deadline = Date.now() + 90_000;
    for (let i = 1; outcomes.length < 2 || simulations().length < 2; i++) {
      if (Date.now() > deadline) {
        const tail = agent.logs.slice(-8).map((l) => JSON.stringify(l).slice(0, 300));
        throw new Error(
          `${outcomes.length} outcomes, ${opportunities.length} opportunities; agent logs: ${tail.join(' | ')}`,
        );
      }
      cluster.advanceSlot();
      const [vault, data] = await vaultWithBalance(
        high,
        1,
        290_000_000_000n + BigInt(i % 7) * 1_000_000_000n,
      );
      cluster.setAccount(vault, data);
      await new Promise((r) => setTimeout(r, 250));
    }
    const submitted = opportunities.filter((o) => o.decision === Decision.SUBMITTED);
    expect(submitted.length).toBeGreaterThanOrEqual(2);
    expect(new Set(submitted.flatMap((o) => o.pools))).toEqual(
      new Set([high.address, (await dislocatedPools())[0].address]),
    );
    expect(simulations().length).toBeGreaterThanOrEqual(2);
    expect(outcomes.every((o) => !o.landed && o.failure === 'dropped')).toBe(true);
    expect(
      cluster.requests.some((r) => r.method === 'sendBundle' || r.method === 'sendTransaction'),
    ).toBe(false);
    expect(cluster.sent).toHaveLength(0);
    expect((await agent.kill('SIGINT')).code).toBe(0);
    expect(agent.stdout).toMatch(
      /dry run: \d+ simulated \(\d+ bundles, \d+ transactions\), \d+ succeeded/,
    );
    expect(agent.stdout).toMatch(/stages: build p50/);
  }, 180_000);
});
