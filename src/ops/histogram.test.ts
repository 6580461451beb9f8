import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { parseBucket, parseHistograms, quantile } from './histogram.js';
import { splitIntervals } from './probe.js';

// Both files are real bpftrace 0.17 output recorded on this repository's dev machine:
// send-path-loopback.txt is src/ops/bpf/send-path.bt probing a Node process that wrote to a TCP
// and a UDP socket on loopback every 2 ms (3 intervals of 2 s); mixed-shapes.txt is a one-liner
// exercising keyed maps, lhist, negative values and the [0] bucket.
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/bpftrace/${name}`, import.meta.url), 'utf8');

describe('bpftrace histogram parser', () => {
  it('reads the send-path probe output interval by interval', () => {
    const { intervals, rest } = splitIntervals(fixture('send-path-loopback.txt'));
    expect(intervals.map((i) => [i.index, i.seconds])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    // Loopback never defers to the NET_TX softirq, so that map stayed empty and is not printed.
    for (const i of intervals) {
      expect(i.histograms.map((h) => h.name)).toEqual([
        'send_syscall_ns',
        'syscall_to_queue_ns',
        'queue_to_xmit_ns',
      ]);
    }
    const [send, , xmit] = intervals[0]?.histograms ?? [];
    expect(send?.buckets[0]).toEqual({ low: 4096, high: 8192, count: 9 });
    expect(send?.buckets[1]).toEqual({ low: 8192, high: 16384, count: 1189 });
    expect(send?.total).toBe(9 + 1189 + 504 + 83 + 45 + 2);
    expect(xmit?.total).toBe(2757);
    expect(xmit?.buckets.at(-1)).toEqual({ low: 8 * 2 ** 20, high: 16 * 2 ** 20, count: 1 });
    // The blank lines bpftrace prints at exit belong to no interval.
    expect(rest.trim()).toBe('');
  });

  it('gives the same intervals however the stream is cut into chunks', () => {
    const text = fixture('send-path-loopback.txt');
    const whole = splitIntervals(text).intervals;
    for (const size of [1, 7, 64, 1000]) {
      const got = [];
      let pending = '';
      for (let at = 0; at < text.length; at += size) {
        const r = splitIntervals(pending + text.slice(at, at + size));
        pending = r.rest;
        got.push(...r.intervals);
      }
      expect(got).toEqual(whole);
    }
  });

  it('reads keyed maps, lhist, negative and single-value buckets', () => {
    const hs = parseHistograms(fixture('mixed-shapes.txt'));
    expect(hs.map((h) => (h.key === '' ? h.name : `${h.name}[${h.key}]`))).toEqual([
      'byk[arb]',
      'byk[mev]',
      'lin',
      'neg',
      'z',
    ]);
    const lin = hs[2];
    expect(lin?.buckets[0]).toEqual({ low: 0, high: 10, count: 161 });
    expect(lin?.buckets.at(-1)).toEqual({ low: 100, high: undefined, count: 320 });
    const neg = hs[3];
    expect(neg?.buckets.slice(0, 3)).toEqual([
      { low: undefined, high: 0, count: 987 },
      { low: 0, high: 1, count: 2 },
      { low: 1, high: 2, count: 2 },
    ]);
    expect(hs[4]).toMatchObject({ name: 'z', total: 2001 });
    expect(hs[0]?.total).toBe(1 + 1 + 3 + 3 + 9 + 10 + 35 + 52 + 114 + 206 + 219);
  });

  it('rejects a line that looks like a bucket but is not one, naming it', () => {
    const bad = '@x:\n[1K, 2Q)   5 |@@ |\n';
    expect(() => parseHistograms(bad)).toThrow(/\[1K, 2Q\)/);
    let caught: unknown;
    try {
      parseBucket('[1, 2)   |');
    } catch (err) {
      caught = err;
    }
    expect(isLandfallError(caught, 'LF_PROBE_OUTPUT')).toBe(true);
    expect(parseBucket('Attaching 16 probes...')).toBeUndefined();
  });

  it('reads quantiles off bucket bounds', () => {
    const [h] = parseHistograms('@a:\n[1K, 2K)   90 |@|\n[2K, 4K)   9 |@|\n[4K, 8K)   1 |@|\n');
    if (h === undefined) throw new Error('no histogram');
    expect(quantile(h, 0.5)).toBe(2048);
    expect(quantile(h, 0.95)).toBe(4096);
    expect(quantile(h, 1)).toBe(8192);
    const [open] = parseHistograms('@b:\n[0, 10)   1 |@|\n[10, ...)   9 |@|\n');
    if (open === undefined) throw new Error('no histogram');
    expect(quantile(open, 0.99)).toBeUndefined();
  });
});
