import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeTopic, encodeTopic } from '../bus/typed.js';
import { isLandfallError } from '../errors.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { type ProbeInterval, runProbe, splitIntervals } from './probe.js';
import { probeUpdate } from './probe-metrics.js';

const recorded = readFileSync(
  new URL('./fixtures/bpftrace/send-path-loopback.txt', import.meta.url),
  'utf8',
);
const WRAPPER = fileURLToPath(new URL('../../deploy/bpf/bpftrace-tracefs.sh', import.meta.url));
const onPath = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const hasBpftrace = onPath('bpftrace');
const tracefs = existsSync('/sys/kernel/tracing/events');

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('probe → metrics-proto', () => {
  it('publishes each recorded interval as a MetricsUpdate with state "probe"', () => {
    const [first] = splitIntervals(recorded).intervals;
    if (first === undefined) throw new Error('fixture has no interval');
    const msg = probeUpdate(first, { agentId: 'arb-paper-1', module: 'arb', pid: 4242 }, 1_000);
    const back = decodeTopic('metrics-proto', encodeTopic('metrics-proto', msg));
    expect(back).toMatchObject({ agentId: 'arb-paper-1', state: 'probe', kernelPid: 4242 });
    expect(back.kernelSend.map((h) => [h.name, h.unit, Number(h.total)])).toEqual([
      ['send_syscall_ns', 'ns', 1832],
      ['syscall_to_queue_ns', 'ns', 1834],
      ['queue_to_xmit_ns', 'ns', 2757],
    ]);
    const send = back.kernelSend[0];
    // 1189 of 1832 samples sit in [8K, 16K): the median's bucket ends at 16 Ki ns.
    expect(send?.p50).toBe(16_384);
    expect(send?.p99).toBe(131_072);
    expect(Number(send?.windowMs)).toBe(2_000);
    expect(send?.buckets[0]).toMatchObject({ low: 4096n, high: 8192n, count: 9n, openLow: false });
  });
});

describe('probe runner', () => {
  it('says bpftrace is not installed when the binary is missing', async () => {
    const err = await caught(
      runProbe({
        pid: process.pid,
        intervalS: 1,
        bpftrace: '/nonexistent/bpftrace',
        onInterval: () => undefined,
        stop: new Promise(() => undefined),
      }),
    );
    expect(isLandfallError(err, 'LF_PROBE_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/bpftrace is not installed.*apt-get install bpftrace/);
  });

  it('names a pid that does not exist', async () => {
    const err = await caught(
      runProbe({
        pid: 2 ** 22 + 17,
        intervalS: 1,
        bpftrace: 'bpftrace',
        onInterval: () => undefined,
        stop: new Promise(() => undefined),
      }),
    );
    expect(isLandfallError(err, 'LF_CLI_USAGE')).toBe(true);
    expect((err as Error).message).toContain('no such process');
  });

  it('`landfall probe` on this machine: data, or bpftrace’s exact reason and exit 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-probe-'));
    const p = new LandfallProcess(
      ['probe', '--pid', String(process.pid), '--for', '3', '--interval', '1'],
      {},
      cwd,
    );
    const { code } = await p.exited;
    const stderr = p.logs.map((l) => String(l.msg ?? '')).join('\n');
    if (!hasBpftrace) {
      expect(code).toBe(1);
      expect(stderr).toMatch(/LF_PROBE_UNAVAILABLE: bpftrace is not installed/);
    } else if (process.getuid?.() !== 0) {
      expect(code).toBe(1);
      expect(stderr).toMatch(/LF_PROBE_UNAVAILABLE: bpftrace exited \d+ before attaching: /);
    } else if (!tracefs) {
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /LF_PROBE_UNAVAILABLE: bpftrace exited 1 before attaching: .*ERROR: tracepoint not found: net:net_dev_queue/,
      );
      expect(stderr).toContain('tracefs is not mounted at /sys/kernel/tracing');
    } else {
      expect(code).toBe(0);
      expect(p.stdout).toMatch(/stopped: \d+ interval\(s\) published/);
    }
  });
});

/** Whether the wrapper can list the script's tracepoints: root, bpftrace, and a tracefs it can mount. */
const canAttach =
  hasBpftrace &&
  process.getuid?.() === 0 &&
  spawnSync(WRAPPER, ['-l', 'tracepoint:net:net_dev_queue'], { encoding: 'utf8' }).stdout?.includes(
    'net:net_dev_queue',
  ) === true;

describe.skipIf(!canAttach)(
  'probe attached for real (needs root, bpftrace, a mountable tracefs)',
  () => {
    it('histograms this process’s own loopback sends through deploy/bpf/bpftrace-tracefs.sh', async () => {
      const socket = dgram.createSocket('udp4');
      const sender = setInterval(() => socket.send(Buffer.alloc(64), 9, '127.0.0.1'), 2);
      const seen: ProbeInterval[] = [];
      let done: () => void = () => undefined;
      const enough = new Promise<void>((r) => {
        done = r;
      });
      // Ends the run whatever happens; the assertions below say what went wrong.
      const giveUp = setTimeout(done, 45_000);
      try {
        await runProbe({
          pid: process.pid,
          intervalS: 1,
          bpftrace: WRAPPER,
          onInterval(i) {
            seen.push(i);
            if (i.histograms.some((h) => h.name === 'send_syscall_ns' && h.total > 0)) done();
          },
          stop: enough,
        });
      } finally {
        clearTimeout(giveUp);
        clearInterval(sender);
        socket.close();
      }
      const send = seen.flatMap((i) => i.histograms).find((h) => h.name === 'send_syscall_ns');
      expect(send?.total ?? 0).toBeGreaterThan(0);
      expect(send?.buckets.every((b) => b.low !== undefined && b.high !== undefined)).toBe(true);
    });
  },
);
