import { decodeTopic, encodeTopic } from '../../bus/typed.js';
import { sampleBundleOutcome } from '../../proto/samples.js';
import { encodeRows } from '../../store/row-encoder.js';
import { type Row, sinkTables } from '../../store/rows.js';
import type { EncodedInsert, Store } from '../../store/types.js';
import { ownCpuSeconds } from '../cpu.js';
import type { BenchRow } from '../harness.js';
import { percentile } from '../stats.js';

const ROWS = 100_000;
const BATCH = 10_000;
const ROUNDS = 3;
const TABLE = 'bundle_outcomes';

interface Format {
  name: string;
  /** Builds one batch's insert from the decoded rows (JS work, timed apart from the insert). */
  encode?: (rows: Row[], columns: string[]) => EncodedInsert;
  /** Inserts rows as the sink did before encoded inserts (client.insert; its rate includes its own JSON encoding). */
  rowPath?: boolean;
}

const utf8 = new TextEncoder();

/** TabSeparated text of a BundleOutcome row: no arrays there; DateTime64 as seconds.millis. */
function tsvCell(column: string, v: unknown): string {
  if (column === 'dt') return ((v as number) / 1000).toFixed(3);
  if (typeof v === 'string')
    return v.replace(/[\\\t\n]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\\\'));
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

const formats: Format[] = [
  { name: 'client.JSONCompactEachRow', rowPath: true },
  {
    name: 'raw.JSONEachRow',
    encode: (rows, columns) => ({
      format: 'JSONEachRow',
      columns,
      body: utf8.encode(rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
    }),
  },
  {
    name: 'raw.JSONCompactEachRow',
    encode: (rows, columns) => ({
      format: 'JSONCompactEachRow',
      columns,
      body: utf8.encode(rows.map((r) => `${JSON.stringify(columns.map((c) => r[c]))}\n`).join('')),
    }),
  },
  {
    name: 'raw.TabSeparated',
    encode: (rows, columns) => ({
      format: 'TabSeparated',
      columns,
      body: utf8.encode(
        rows.map((r) => `${columns.map((c) => tsvCell(c, r[c])).join('\t')}\n`).join(''),
      ),
    }),
  },
];

/**
 * The same BundleOutcome rows inserted into chDB in each text format it takes (binary formats
 * — RowBinary, Native, Arrow — cannot pass chDB's insert path, which reads the body as UTF-8).
 * `rows_per_s` is the engine's insert rate alone; `encode_ns_per_row` the JS work to build it.
 * Also `sink.encode`: decode + validate + encode per row as the sink's row workers do it.
 */
export async function formatRows(store: Store): Promise<BenchRow[]> {
  const spec = sinkTables.find((s) => s.table === TABLE);
  if (!spec) throw new Error(`no sink table ${TABLE}`);
  const payloads = Array.from({ length: ROWS }, (_, i) =>
    encodeTopic(spec.topic, { ...sampleBundleOutcome(i), bundleId: `fmt-${i}` }),
  );
  const published = new Float64Array(ROWS).fill(Date.now());
  const out: BenchRow[] = [];
  const sinkEncode: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    encodeRows(spec, (i) => payloads[i] as Uint8Array, published, ROWS);
    sinkEncode.push(((performance.now() - t) * 1e6) / ROWS);
  }
  out.push({
    name: 'store.sink.encode',
    metric: 'ns_per_row',
    value: percentile(sinkEncode, 0.5),
    unit: 'ns (decode+validate+encode, median of 3)',
  });
  const rows = payloads.map((p, i) =>
    spec.toRow(decodeTopic(spec.topic, p), published[i] as number),
  );
  const columns = Object.keys(rows[0] as Row);
  for (const f of formats) {
    const rates: number[] = [];
    const encodeNs: number[] = [];
    const insertCpuUs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let insertMs = 0;
      let encodeMs = 0;
      let insertCpu = 0;
      for (let i = 0; i < ROWS; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        const t0 = performance.now();
        const encoded = f.encode?.(batch, columns);
        const t1 = performance.now();
        const cpu0 = ownCpuSeconds();
        if (encoded) await store.insertEncoded(TABLE, encoded);
        else await store.insert(TABLE, batch);
        insertCpu += ownCpuSeconds() - cpu0;
        insertMs += performance.now() - t1;
        encodeMs += t1 - t0;
      }
      rates.push((ROWS * 1000) / insertMs);
      encodeNs.push((encodeMs * 1e6) / ROWS);
      insertCpuUs.push((insertCpu * 1e6) / ROWS);
    }
    const name = `store.format.${f.name}`;
    out.push({
      name,
      metric: 'rows_per_s',
      value: percentile(rates, 0.5),
      unit: 'rows/s (median of 3)',
    });
    out.push({
      name,
      metric: 'insert_cpu_us',
      value: percentile(insertCpuUs, 0.5),
      unit: 'µs CPU/row, all threads, insert alone (median of 3)',
    });
    if (f.encode) {
      out.push({
        name,
        metric: 'encode_ns_per_row',
        value: percentile(encodeNs, 0.5),
        unit: 'ns (median of 3)',
      });
    }
  }
  return out;
}
