import { decodeTopic } from '../bus/typed.js';
import { reasonOf } from '../errors.js';
import type { Row, SinkTable } from './rows.js';

/**
 * The insert format: JSONCompactEachRow with a column list. Measured on chDB (store bench,
 * `store.format` rows): the engine parses positional arrays about twice as fast as keyed
 * objects, and TSV only a little faster still, while JSON keeps today's meaning of every
 * value (64-bit integers as numbers or decimal strings, arrays, Nested columns, DateTime64 as
 * ms). chDB's insert path takes text formats only: a binary body (RowBinary, Native, Arrow)
 * would be decoded as UTF-8 on its way in.
 */
export const INSERT_FORMAT = 'JSONCompactEachRow' as const;

const utf8 = new TextEncoder();
/** 10^k for k < 17: a safe integer has at most 16 digits. */
const POW10 = Array.from({ length: 17 }, (_, k) => 10 ** k);

/** One table's batch, encoded for a single insert statement. */
export interface EncodedRows {
  /** Column names, in the order every line lists its values. */
  readonly columns: readonly string[];
  /** One JSON array per line, `\n`-terminated; UTF-8. */
  readonly body: Uint8Array;
  /** For each line of `body`, the index of the message it came from. */
  readonly rows: Int32Array;
  /** Messages that decode or map to no storable row, with the reason (dead-lettered). */
  readonly failures: ReadonlyArray<{ index: number; reason: string }>;
}

/**
 * Decodes, validates and maps a batch of one topic's payloads to insert text. A payload that
 * does not decode or validate (LF_PROTO_*) or cannot be stored faithfully
 * (LF_STORE_ROW_INVALID) becomes a failure; the others become lines. Runs on the row workers
 * or, without them, on the caller's thread.
 */
export function encodeRows(
  spec: SinkTable,
  payload: (i: number) => Uint8Array,
  publishedAt: ArrayLike<number>,
  count: number,
): EncodedRows {
  let columns: string[] | undefined;
  const rows = new Int32Array(count);
  const failures: Array<{ index: number; reason: string }> = [];
  const out = new LineWriter(count * 256);
  let lines = 0;
  for (let i = 0; i < count; i++) {
    const mark = out.pos;
    try {
      const row = spec.toRow(decodeTopic(spec.topic, payload(i)), publishedAt[i] as number);
      columns ??= Object.keys(row);
      out.line(row, columns);
    } catch (err) {
      out.pos = mark;
      failures.push({ index: i, reason: reasonOf(err) });
      continue;
    }
    rows[lines++] = i;
  }
  return { columns: columns ?? [], body: out.bytes(), rows: rows.subarray(0, lines), failures };
}

/**
 * The last batch's buffer, for the next one: allocating a fresh zeroed one of 256 bytes a row
 * per batch cost more than the exact-size copy bytes() makes (about 0.2 µs a row of encodeRows'
 * 2.7). One per thread; a larger one (a batch of huge rows) is let go rather than held.
 */
let spare: Uint8Array | undefined;
const MAX_SPARE_BYTES = 16 << 20;

/**
 * Writes JSONCompactEachRow lines straight into one growing byte buffer: no string per line or
 * per batch to build, flatten and encode again (those were most of the encoder's garbage).
 * Plain ASCII strings — ids, labels, most text — are copied byte by byte; anything else goes
 * through JSON.stringify.
 */
export class LineWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity: number) {
    const reused = spare;
    spare = undefined;
    this.buf = reused ?? new Uint8Array(Math.max(1024, capacity));
  }

  /**
   * The bytes written, in their own ArrayBuffer (a worker transfers it). The writer is done
   * then: its buffer is kept for the next batch's writer.
   */
  bytes(): Uint8Array {
    const bytes = this.buf.slice(0, this.pos);
    if (this.buf.length <= MAX_SPARE_BYTES) spare = this.buf;
    this.pos = 0;
    return bytes;
  }

  line(row: Row, columns: readonly string[]): void {
    this.byte(0x5b); // [
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as string;
      const v = row[column];
      if (c > 0) this.byte(0x2c); // ,
      switch (typeof v) {
        case 'string':
          this.string(v);
          break;
        case 'number':
          if (Number.isSafeInteger(v)) this.integer(v);
          // JSON has no NaN or Infinity: ClickHouse would read the `null` as a silent 0.
          else if (!Number.isFinite(v)) throw new Error(`${column} is ${v}`);
          else this.ascii(String(v));
          break;
        case 'boolean':
          this.ascii(v ? 'true' : 'false');
          break;
        case 'object':
          if (v === null) throw new Error(`${column} has no value`);
          this.text(JSON.stringify(v));
          break;
        default:
          throw new Error(`${column} has no value`);
      }
    }
    this.byte(0x5d); // ]
    this.byte(0x0a); // \n
  }

  string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let k = 0; k < n; k++) {
      const ch = s.charCodeAt(k);
      // Outside printable ASCII, or a quote or backslash: let JSON escape and UTF-8 encode it.
      if (ch < 0x20 || ch > 0x7e || ch === 0x22 || ch === 0x5c) {
        this.text(JSON.stringify(s));
        return;
      }
      buf[p++] = ch;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /**
   * A safe integer's decimal digits, as String(v) writes them (-0 as "0"), without the string:
   * times, slots and lamports are most of a row's numbers.
   */
  integer(v: number): void {
    this.room(17);
    const buf = this.buf;
    let p = this.pos;
    if (v < 0) {
      buf[p++] = 0x2d; // -
      v = -v;
    }
    let digits = 1;
    while (digits < 16 && v >= (POW10[digits] as number)) digits++;
    this.pos = p + digits;
    // Above 2^31 `| 0` would wrap: the high digits go through floating-point division, which is
    // exact in floor(v / 10) for every safe integer.
    for (p += digits - 1; v >= 0x80000000; p--) {
      const q = Math.floor(v / 10);
      buf[p] = 0x30 + (v - q * 10);
      v = q;
    }
    for (; v >= 10; p--) {
      const q = (v / 10) | 0;
      buf[p] = 0x30 + (v - q * 10);
      v = q;
    }
    buf[p] = 0x30 + v;
  }

  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    for (let k = 0; k < n; k++) this.buf[this.pos++] = s.charCodeAt(k);
  }

  text(s: string): void {
    this.room(s.length * 3);
    this.pos += utf8.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

/**
 * Splits encoded lines `[from, to)` out of a body (a refused batch is narrowed down by halves).
 * JSON escapes a newline inside a string, so every `\n` byte ends a line.
 */
export function lineOffsets(body: Uint8Array): Uint32Array {
  let n = 0;
  for (let i = 0; i < body.length; i++) if (body[i] === 10) n++;
  const ends = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < body.length; i++) if (body[i] === 10) ends[k++] = i + 1;
  return ends;
}
