import { randomBytes } from 'node:crypto';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import type { ControlAck } from '../gen/landfall/v1/control_pb.js';
import type { TrainAck } from '../gen/landfall/v1/jobs_pb.js';
import type { MetricsUpdate, SloState } from '../gen/landfall/v1/realtime_pb.js';

/** Bounds on what a view remembers, so a long-running API holds constant memory. */
const MAX_JOBS = 500;
const MAX_COMMANDS = 500;
const MAX_ACKS_PER_KEY = 64;

/**
 * What the API has seen on the bus since it started: the latest metrics per agent, the latest
 * SLO verdict per module, and recent training and control acks. A training ack is visible here
 * before the sink has stored it. Each API process subscribes under a group of its own, so every
 * instance sees every message (the bus shares a group's messages between its members).
 */
export class LiveViews {
  readonly group = `api-view-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly metrics = new Map<string, MetricsUpdate>();
  readonly slo = new Map<number, SloState>();
  readonly trainAcks = new Map<string, TrainAck[]>();
  readonly controlAcks = new Map<string, ControlAck[]>();
  readonly #subs: Subscription[] = [];
  readonly #listeners: Array<(m: MetricsUpdate) => void> = [];

  private constructor() {}

  static async start(bus: TypedBus): Promise<LiveViews> {
    const views = new LiveViews();
    // Transient: the group is this process's alone, so the bus removes it when we stop (or die).
    const options = { group: views.group, start: 'latest' as const, transient: true };
    try {
      views.#subs.push(
        await bus.subscribe(
          'metrics-proto',
          async (m) => {
            views.metrics.set(m.agentId, m);
            for (const listener of views.#listeners) listener(m);
          },
          options,
        ),
        await bus.subscribe(
          'slo-proto',
          async (m) => {
            views.slo.set(m.module, m);
          },
          options,
        ),
        await bus.subscribe(
          'train-acks-proto',
          async (m) => remember(views.trainAcks, m.jobId, m, MAX_JOBS),
          options,
        ),
        await bus.subscribe(
          'control-acks-proto',
          async (m) => remember(views.controlAcks, m.commandId, m, MAX_COMMANDS),
          options,
        ),
      );
    } catch (err) {
      await views.stop();
      throw err;
    }
    return views;
  }

  /** Called with every metrics update (the Prometheus gauges follow them). */
  onMetrics(listener: (m: MetricsUpdate) => void): void {
    this.#listeners.push(listener);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.#subs.splice(0).map((s) => s.close()));
  }
}

/** Appends under `key`, newest last; the oldest key is forgotten once there are `maxKeys`. */
function remember<T>(map: Map<string, T[]>, key: string, value: T, maxKeys: number): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
    if (list.length > MAX_ACKS_PER_KEY) list.shift();
    // Re-insert so Map order is least recently updated first.
    map.delete(key);
    map.set(key, list);
    return;
  }
  map.set(key, [value]);
  if (map.size > maxKeys) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
