import type { Command } from 'commander';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import { LandfallError } from '../../errors.js';
import type { Module } from '../../market/types.js';
import { runProbe } from '../../ops/probe.js';
import { intervalLines, probeUpdate } from '../../ops/probe-metrics.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { nextSignalOrTimer } from '../signals.js';

interface ProbeCliOptions {
  pid: string;
  module: string;
  agentId?: string;
  interval?: string;
  for?: string;
  json?: boolean;
}

/**
 * `landfall probe --pid P`: the kernel's share of an agent's send path, from bpftrace
 * (src/ops/bpf/send-path.bt). Each interval's histograms are printed and published on
 * `metrics-proto` as a MetricsUpdate with state "probe" for the agent. Where bpftrace is missing
 * or cannot attach, it says bpftrace's own reason and exits non-zero.
 */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description(
      "histogram the kernel send path (syscall → qdisc → driver, NET_TX softirq) of an agent's process with bpftrace; publish on metrics-proto",
    )
    .requiredOption('--pid <pid>', 'the agent process to probe')
    .option(
      '--module <module>',
      'the agent module the histograms are published for: arb or mev',
      'arb',
    )
    .option(
      '--agent-id <id>',
      "the id to publish under (default <module>-pid-<pid>); not the agent's own id, whose counter series it would break",
    )
    .option('--interval <seconds>', 'seconds per histogram (default ops.probe.intervalS)')
    .option('--for <seconds>', 'stop by itself after this many seconds')
    .option('--json', 'print each interval as JSON')
    .action(async (opts: ProbeCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const pid = Number(opts.pid);
      if (!Number.isInteger(pid) || pid <= 0) {
        throw new LandfallError('LF_CLI_USAGE', `--pid expects a process id, got "${opts.pid}"`);
      }
      if (opts.module !== 'arb' && opts.module !== 'mev') {
        throw new LandfallError(
          'LF_CLI_USAGE',
          `--module expects arb or mev, got "${opts.module}"`,
        );
      }
      const module: Module = opts.module;
      const intervalS =
        opts.interval === undefined
          ? config.ops.probe.intervalS
          : Math.max(1, Math.round(parseSeconds('--interval', opts.interval)));
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      const who = { agentId: opts.agentId ?? `${module}-pid-${pid}`, module, pid };
      const bus = await createBus(config.bus);
      const typed = new TypedBus(bus);
      const pending: Promise<void>[] = [];
      try {
        process.stdout.write(
          `landfall probe: pid ${pid} every ${intervalS} s with ${config.ops.probe.bpftrace} → metrics-proto (${config.bus.kind} bus) as ${who.agentId}\n`,
        );
        const summary = await runProbe({
          pid,
          intervalS,
          bpftrace: config.ops.probe.bpftrace,
          stop: nextSignalOrTimer(runFor),
          onInterval(interval) {
            process.stdout.write(
              opts.json
                ? `${JSON.stringify(interval)}\n`
                : `${intervalLines(interval).join('\n')}\n`,
            );
            pending.push(typed.publish('metrics-proto', probeUpdate(interval, who, Date.now())));
          },
        });
        await Promise.all(pending);
        process.stdout.write(`stopped: ${summary.intervals} interval(s) published\n`);
      } finally {
        await Promise.allSettled(pending);
        await bus.close();
      }
    });
}
