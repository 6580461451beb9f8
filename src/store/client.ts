import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  createClient,
} from '@clickhouse/client';
import type { StoreConfig } from '../config/schema.js';
import { type ErrorCode, LandfallError, reasonOf } from '../errors.js';
import { checkColdDisk, embeddedLayout, writeEmbeddedConfig } from './embedded-config.js';
import { lockDataDirectory } from './embedded-lock.js';
import type { EncodedInsert, QueryParams, Store, StoreHealth, StoreKind } from './types.js';

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>;

/** Passes an encoded body to the engine as it is (chDB's raw insert; a server's request body). */
type RawInsert = (table: string, rows: EncodedInsert) => Promise<void>;

/** What of chDB's connection the raw insert uses (its `.chdb` extension). */
interface ChdbRawInsert {
  chdb: {
    rawInsert(params: {
      table: string;
      values: Uint8Array;
      format: EncodedInsert['format'];
      columns: readonly string[];
    }): Promise<unknown>;
  };
}

export interface OpenStoreOptions {
  /** Landfall home (config.home); a relative chDB `store.path` lives under it. */
  home: string;
}

/**
 * Opens the configured store: embedded chDB (a data directory under the Landfall home) or a
 * ClickHouse server (URL and credentials from config/environment). Both go through
 * @clickhouse/client, so nothing above this function knows which one it has.
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions): Promise<Store> {
  return config.kind === 'chdb'
    ? openEmbedded(resolve(options.home, config.path), config.database, config.cold)
    : openServer(config);
}

async function openEmbedded(
  root: string,
  database: string,
  cold: StoreConfig['cold'],
): Promise<Store> {
  const layout = embeddedLayout(root);
  checkColdDisk(layout, cold);
  mkdirSync(root, { recursive: true });
  const unlock = lockDataDirectory(root);
  try {
    writeEmbeddedConfig(layout, cold);
    // Loaded here, not at the top, so a server deployment never loads the native engine.
    const { Session } = await import('chdb');
    const { createChdbConnection } = await import('chdb/connection');
    // The engine is one per process and takes its arguments from the first connection to a
    // path; the client's connection then joins the same engine.
    const session = new Session(layout.data, {
      connectionArgs: [`--config-file=${layout.configFile}`],
    });
    // chdb declares the Connection contract against its own copy of @clickhouse/client-common;
    // the shapes match (chdb's parity suite checks them) but TypeScript sees two declarations.
    const chdb = createChdbConnection({ path: layout.data });
    const client = createClient({ connection: chdb as unknown as Connection });
    // The body goes to the engine's parser zero-copy, on libuv's thread: no UTF-8 string of
    // the whole batch is built on the event loop, as `client.insert` would through chDB.
    const raw: RawInsert = async (table, rows) => {
      await (chdb as unknown as ChdbRawInsert).chdb.rawInsert({
        table,
        values: rows.body,
        format: rows.format,
        columns: rows.columns,
      });
    };
    return new ClickHouseStore('chdb', database, client, `chDB at ${layout.data}`, raw, () => {
      session.close();
      unlock();
    });
  } catch (cause) {
    unlock();
    throw new LandfallError(
      'LF_STORE_CONNECT',
      `cannot open embedded ClickHouse (chDB) at ${root}: ${reasonOf(cause)}. chDB serves one data ` +
        'directory per process: is another store open in this process?',
      { cause },
    );
  }
}

async function openServer(config: StoreConfig): Promise<Store> {
  const client = createClient({
    url: config.url,
    username: config.username,
    password: config.password,
  });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    throw new LandfallError(
      'LF_STORE_CONNECT',
      `cannot reach ClickHouse at ${config.url} as ${config.username}: ${reasonOf(ping.error)} ` +
        '(set store.url / CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)',
      { cause: ping.error },
    );
  }
  const raw: RawInsert = async (table, rows) => {
    const columns = rows.columns.map((c) => `\`${c}\``).join(', ');
    const result = await client.exec({
      query: `INSERT INTO ${table} (${columns}) FORMAT ${rows.format}`,
      values: Readable.from([rows.body]),
    });
    result.stream.destroy();
  };
  return new ClickHouseStore('server', config.database, client, `ClickHouse at ${config.url}`, raw);
}

class ClickHouseStore implements Store {
  #closed = false;

  constructor(
    readonly kind: StoreKind,
    readonly database: string,
    readonly client: ClickHouseClient,
    readonly where: string,
    readonly raw: RawInsert,
    readonly release?: () => void,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    try {
      const result = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        // A server quotes them by default; chDB must be told on each query.
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
        ...(params ? { query_params: params } : {}),
      });
      return await result.json<T>();
    } catch (err) {
      throw storeError(
        this.kind,
        'LF_STORE_QUERY',
        `query on ${this.where} failed (${summary(sql)})`,
        err,
      );
    }
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    const first = rows[0] as Record<string, unknown> | undefined;
    if (first === undefined) return;
    try {
      await this.client.insert({ table: `${this.database}.${table}`, ...insertBody(first, rows) });
    } catch (err) {
      throw storeError(
        this.kind,
        'LF_STORE_INSERT',
        `insert of ${rows.length} rows into ${this.database}.${table} on ${this.where} failed`,
        err,
      );
    }
  }

  async insertEncoded(table: string, rows: EncodedInsert): Promise<void> {
    if (rows.body.length === 0) return;
    try {
      await this.raw(`${this.database}.${table}`, rows);
    } catch (err) {
      throw storeError(
        this.kind,
        'LF_STORE_INSERT',
        `insert of ${rows.format} rows into ${this.database}.${table} on ${this.where} failed`,
        err,
      );
    }
  }

  async exec(sql: string, params?: QueryParams): Promise<void> {
    try {
      await this.client.command({ query: sql, ...(params ? { query_params: params } : {}) });
    } catch (err) {
      throw storeError(
        this.kind,
        'LF_STORE_QUERY',
        `statement on ${this.where} failed (${summary(sql)})`,
        err,
      );
    }
  }

  async health(): Promise<StoreHealth> {
    if (this.#closed) return { ok: false, detail: `${this.where}: closed` };
    try {
      const [row] = await this.query<{ v: string }>('SELECT version() AS v');
      return { ok: true, detail: `${this.where}, version ${row?.v ?? 'unknown'}` };
    } catch (err) {
      return { ok: false, detail: `${this.where}: ${reasonOf(err)}` };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.close();
    this.release?.();
  }
}

/**
 * Rows that all have the keys of the first go as JSONCompactEachRow with a column list: the
 * engine parses positional arrays about twice as fast as keyed objects (measured on chDB).
 * Anything irregular goes as JSONEachRow, where a missing key means the column default.
 */
function insertBody(first: Record<string, unknown>, rows: readonly object[]) {
  const columns = Object.keys(first) as [string, ...string[]];
  const regular = rows.every(
    (r) => Object.keys(r).length === columns.length && columns.every((c) => c in r),
  );
  if (!regular) return { values: rows as object[], format: 'JSONEachRow' as const };
  const values = rows.map((r) => columns.map((c) => (r as Record<string, unknown>)[c]));
  return { values, columns, format: 'JSONCompactEachRow' as const };
}

/** Server error codes that say "not now" rather than "not this": worth retrying as they are. */
const TRANSIENT_SERVER_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '279', // ALL_CONNECTION_TRIES_FAILED
  '319', // UNKNOWN_STATUS_OF_INSERT
  '999', // KEEPER_EXCEPTION
]);

/**
 * A server (or chDB) error carries ClickHouse's numeric code; anything else from a server
 * (refused socket, reset, client timeout) means it could not be reached. Duck-typed: chDB and
 * the client each bundle their own copy of the error class.
 */
export function isTransient(err: unknown, kind: StoreKind): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return TRANSIENT_SERVER_CODES.has(code);
  // In-process chDB has no network to fail: an uncoded error is a bug or misuse, not weather.
  return kind === 'server';
}

function storeError(kind: StoreKind, code: ErrorCode, what: string, err: unknown): LandfallError {
  const transient = isTransient(err, kind);
  return new LandfallError(transient ? 'LF_STORE_UNAVAILABLE' : code, `${what}: ${reasonOf(err)}`, {
    cause: err,
  });
}

function summary(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
