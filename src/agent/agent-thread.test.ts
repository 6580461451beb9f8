import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { controlSignerFrom, withPaperControlKey } from '../auth/control-signature.js';
import { MemoryBus } from '../bus/memory.js';
import { TypedBus } from '../bus/typed.js';
import { validateConfig } from '../config/load.js';
import { isLandfallError } from '../errors.js';
import type { AuditRecord } from '../gen/landfall/v1/audit_pb.js';
import {
  type ControlAck,
  ControlAction,
  ControlCommandSchema,
} from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { currentAffinity } from '../ops/pinning.js';
import { until } from '../testing/until.js';
import { type AgentThread, startAgentThread } from './agent-thread.js';

let run: AgentThread | undefined;
let bus: MemoryBus | undefined;
afterEach(async () => {
  await run?.stop();
  await bus?.close();
  run = undefined;
});

const log = pino({ level: 'silent' });
const configOf = (extra: object = {}) =>
  withPaperControlKey(
    validateConfig({
      home: mkdtempSync(join(tmpdir(), 'lf-agent-thread-')),
      agent: { metricsIntervalMs: 100 },
      log: { level: 'silent' },
      // Opportunities come twenty times as often as at wall pace.
      sim: { speed: 20 },
      ...extra,
    }),
  );

describe('agents on their own thread', () => {
  it('keeps deciding and publishing while the main thread is blocked', async () => {
    const config = configOf();
    bus = new MemoryBus();
    const typed = new TypedBus(bus);
    const received: Array<{ agentId: string; at: number; tsMs: number }> = [];
    await typed.subscribe(
      'metrics-proto',
      async (m) => void received.push({ agentId: m.agentId, at: Date.now(), tsMs: Number(m.tsMs) }),
      { group: 'test' },
    );
    run = await startAgentThread({
      config,
      bus: typed,
      mode: 'paper',
      modules: ['arb', 'mev'],
      log,
    });
    expect(run.lines[0]).toMatch(/agents and market on worker thread \d+/);
    expect(run.agentIds).toEqual(['arb-paper-1', 'mev-paper-1']);
    await until(
      () => new Set(received.map((r) => r.agentId)).size === 2,
      'metrics from both agents, through the main thread',
      30_000,
    );

    // Nothing on this thread runs for 700 ms: only agents with an event loop of their own can
    // publish in the meantime. Their metrics (every 100 ms of a market clock running 20× wall
    // time: ~140 each in the block) are stamped with the market time they were made at, and
    // reach this thread only after it. Agents on this thread would make none inside the block.
    const { clock } = run;
    const marketFrom = clock.now();
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 700) {}
    const unblocked = Date.now();
    const marketTo = clock.now();
    const madeInBlock = (agentId: string) =>
      received.filter((r) => r.agentId === agentId && r.tsMs > marketFrom && r.tsMs < marketTo);
    // Three each, as a floor: on a loaded machine the thread may get little of a core.
    await until(
      () => run?.agentIds.every((id) => madeInBlock(id).length >= 3) === true,
      'three metrics from each agent made while this thread was blocked',
      30_000,
    );
    for (const id of run.agentIds) {
      expect(madeInBlock(id).every((r) => r.at >= unblocked)).toBe(true);
    }

    // The panel's figures and the market clock, as the thread shares them.
    await until(() => run?.figures().seen !== 0, 'an opportunity seen on the thread', 30_000);
    const figures = run.figures();
    expect(figures.sim?.regime).toMatch(/^(calm|competitive|hyper)$/);
    expect(figures.sim?.marketEvents).toBeGreaterThan(0);
    expect(run.clock.now()).toBeGreaterThanOrEqual(figures.atMs);

    await run.stop();
    const summary = run.summary();
    expect(summary.some((line) => /opportunities, .* submitted/.test(line))).toBe(true);
    await run.ended;
  }, 60_000);

  it('obeys signed control commands from the main bus, acks them, audits a forged one', async () => {
    const config = configOf();
    bus = new MemoryBus();
    const typed = new TypedBus(bus);
    const acks: ControlAck[] = [];
    const audits: AuditRecord[] = [];
    await typed.subscribe('control-acks-proto', async (a) => void acks.push(a), { group: 't' });
    await typed.subscribe('audit-proto', async (a) => void audits.push(a), { group: 't' });
    run = await startAgentThread({ config, bus: typed, mode: 'paper', modules: ['arb'], log });
    const command = (commandId: string) =>
      create(ControlCommandSchema, {
        commandId,
        action: ControlAction.KILL,
        module: Module.ARBITRAGE,
        issuer: 'ops-ada',
        reason: 'test',
        source: 'operator',
      });
    await typed.publish('control-proto', controlSignerFrom(config).sign(command('signed')));
    await typed.publish('control-proto', command('forged'));
    const signed = await until(() => acks.find((a) => a.commandId === 'signed'), 'the kill ack');
    expect(signed).toMatchObject({ agentId: 'arb-paper-1', applied: true });
    const forged = await until(() => acks.find((a) => a.commandId === 'forged'), 'the refusal');
    expect(forged.applied).toBe(false);
    const audit = await until(
      () => audits.find((a) => a.paramsJson.includes('forged')),
      'the refusal audited',
    );
    expect(audit).toMatchObject({ action: 'control.kill', result: 'forbidden' });
  }, 60_000);

  it('pins its own thread to agent.cpus, not the main thread', async () => {
    const before = currentAffinity();
    const cpu = before[before.length - 1] ?? 0;
    const config = configOf({ agent: { metricsIntervalMs: 100, cpus: [cpu] } });
    bus = new MemoryBus();
    run = await startAgentThread({
      config,
      bus: new TypedBus(bus),
      mode: 'paper',
      modules: ['arb'],
      log,
    });
    if (run.pin.warnings.length === 0) expect(run.pin.obtained).toEqual([cpu]);
    expect(currentAffinity()).toEqual(before);
  }, 60_000);

  it('fails to start with the error the thread met, its code kept', async () => {
    const config = validateConfig({
      home: mkdtempSync(join(tmpdir(), 'lf-agent-thread-')),
      mode: 'live',
    });
    bus = new MemoryBus();
    const failed = await startAgentThread({
      config,
      bus: new TypedBus(bus),
      mode: 'dry-run',
      modules: ['arb'],
      log,
      env: {},
    }).catch((err: unknown) => err);
    expect(isLandfallError(failed, 'LF_SOLANA_CONFIG'), String(failed)).toBe(true);
  }, 60_000);
});
