import { create } from '@bufbuild/protobuf';
import type { TopicMessage } from '../bus/topics.js';
import {
  HistogramBucketSchema,
  type KernelHistogram,
  KernelHistogramSchema,
  MetricsUpdateSchema,
} from '../gen/landfall/v1/realtime_pb.js';
import type { Module } from '../market/types.js';
import { toProtoModule } from '../proto/module.js';
import { type Histogram, quantile } from './histogram.js';
import type { ProbeInterval } from './probe.js';

/** The unit a map's name ends in (`send_syscall_ns` → ns). */
export function unitOf(name: string): string {
  const m = /_(ns|us|ms|bytes)$/.exec(name);
  return m?.[1] ?? '';
}

export function kernelHistogram(h: Histogram, windowMs: number): KernelHistogram {
  return create(KernelHistogramSchema, {
    name: h.name,
    key: h.key,
    unit: unitOf(h.name),
    total: BigInt(h.total),
    p50: quantile(h, 0.5) ?? 0,
    p99: quantile(h, 0.99) ?? 0,
    windowMs: BigInt(windowMs),
    buckets: h.buckets.map((b) =>
      create(HistogramBucketSchema, {
        low: BigInt(b.low ?? 0),
        high: BigInt(b.high ?? 0),
        count: BigInt(b.count),
        openLow: b.low === undefined,
        openHigh: b.high === undefined,
      }),
    ),
  });
}

/**
 * One probe interval as a MetricsUpdate on `metrics-proto`, keyed by the probed agent's id:
 * state "probe", the kernel histograms and the pid, nothing else (readers that aggregate agent
 * counters skip state "probe"; see realtime.proto).
 */
export function probeUpdate(
  interval: ProbeInterval,
  who: { agentId: string; module: Module; pid: number },
  nowMs: number,
): TopicMessage<'metrics-proto'> {
  return create(MetricsUpdateSchema, {
    agentId: who.agentId,
    module: toProtoModule(who.module),
    tsMs: BigInt(Math.round(nowMs)),
    state: 'probe',
    kernelPid: who.pid,
    kernelSend: interval.histograms.map((h) => kernelHistogram(h, interval.seconds * 1000)),
  });
}

/** One line per histogram for the terminal: samples and the p50/p99 bucket bounds. */
export function intervalLines(interval: ProbeInterval): string[] {
  if (interval.histograms.length === 0) {
    return [`interval ${interval.index}: no sends reached a device in ${interval.seconds} s`];
  }
  return interval.histograms.map((h) => {
    const unit = unitOf(h.name);
    const q = (p: number) => {
      const v = quantile(h, p);
      return v === undefined ? 'open' : `≤${v} ${unit}`.trim();
    };
    const name = h.key === '' ? h.name : `${h.name}[${h.key}]`;
    return `interval ${interval.index}: ${name.padEnd(22)} ${String(h.total).padStart(7)} samples  p50 ${q(0.5)}  p99 ${q(0.99)}`;
  });
}
