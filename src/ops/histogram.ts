import { LandfallError } from '../errors.js';

/**
 * bpftrace's text histograms, as `print(@map)` and its exit dump write them:
 *
 *     @send_syscall_ns:              ← or `@name[key, key2]:` for a keyed map
 *     [4K, 8K)             141 |@@@@          |
 *     (..., 0)               3 |              |   ← values below the first bucket
 *     [0]                    2 |              |   ← log2's single-value buckets 0 and 1
 *     [100, ...)           320 |@@@@@@@@@@@@@@|   ← lhist values at or above its max
 *
 * Sizes carry binary suffixes (K = 2^10 … E = 2^60). A histogram ends at the first line that
 * is not a bucket. Anything else bpftrace prints (Attaching…, printf lines, scalar maps) is
 * left to the caller; a line that starts like a bucket but does not parse is an error, so a
 * format change in bpftrace is reported instead of read as an empty histogram.
 */
export interface HistogramBucket {
  /** Inclusive lower bound; undefined for the open `(..., x)` bucket. */
  readonly low: number | undefined;
  /** Exclusive upper bound; undefined for the open `[x, ...)` bucket. */
  readonly high: number | undefined;
  readonly count: number;
}

export interface Histogram {
  /** The map name without `@`. */
  readonly name: string;
  /** The key inside `[...]` for keyed maps, as printed; '' when the map has no key. */
  readonly key: string;
  readonly buckets: readonly HistogramBucket[];
  readonly total: number;
}

const HEADER = /^@([A-Za-z_][A-Za-z0-9_]*)(?:\[(.*)\])?:\s*$/;
const BUCKET_START = /^[[(]/;
const BUCKET = /^(\[|\()\s*([^,\]]+?)\s*(?:,\s*([^\])]+?)\s*)?(\]|\))\s+(\d+)\s*\|/;
const SUFFIX: Record<string, number> = {
  '': 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
};

function value(text: string, line: string): number | undefined {
  if (text === '...') return undefined;
  const m = /^(-?\d+)([KMGTPE]?)$/.exec(text);
  if (m === null) throw formatError(`bound "${text}" is not a number`, line);
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
}

function formatError(what: string, line: string): LandfallError {
  return new LandfallError('LF_PROBE_OUTPUT', `bpftrace histogram line "${line.trim()}": ${what}`);
}

/** One bucket line, or undefined when the line is not a bucket at all. */
export function parseBucket(line: string): HistogramBucket | undefined {
  const trimmed = line.trim();
  if (!BUCKET_START.test(trimmed)) return undefined;
  const m = BUCKET.exec(trimmed);
  if (m === null) throw formatError('expected "[low, high)  count |bar|"', line);
  const [, open, first, second, close, count] = m;
  if (first === undefined || count === undefined) throw formatError('missing bound', line);
  if (second === undefined) {
    // `[5]`: log2's bucket of exactly one value.
    if (open !== '[' || close !== ']') throw formatError('single-value bucket must be [v]', line);
    const v = value(first, line);
    if (v === undefined) throw formatError('single-value bucket cannot be open', line);
    return { low: v, high: v + 1, count: Number(count) };
  }
  return { low: value(first, line), high: value(second, line), count: Number(count) };
}

/** Every histogram in `text`, in the order printed. */
export function parseHistograms(text: string): Histogram[] {
  const out: Histogram[] = [];
  let current: { name: string; key: string; buckets: HistogramBucket[] } | undefined;
  const close = () => {
    if (current !== undefined && current.buckets.length > 0) {
      out.push({ ...current, total: current.buckets.reduce((s, b) => s + b.count, 0) });
    }
    current = undefined;
  };
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line.trim());
    if (header !== null) {
      close();
      current = { name: header[1] ?? '', key: header[2] ?? '', buckets: [] };
      continue;
    }
    const bucket = current === undefined ? undefined : parseBucket(line);
    if (bucket !== undefined && current !== undefined) current.buckets.push(bucket);
    else close();
  }
  close();
  return out;
}

/**
 * The value below which `q` of the samples fall, read from bucket bounds (the upper bound of
 * the bucket holding the quantile: a histogram cannot say more). Undefined when empty, or when
 * the quantile lands in an open-ended top bucket.
 */
export function quantile(h: Histogram, q: number): number | undefined {
  if (h.total === 0) return undefined;
  const rank = q * h.total;
  let seen = 0;
  for (const b of h.buckets) {
    seen += b.count;
    if (seen >= rank && b.count > 0) return b.high;
  }
  return h.buckets.at(-1)?.high;
}
