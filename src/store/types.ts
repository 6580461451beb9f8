/**
 * The store: ClickHouse behind a small interface, whichever backend runs it.
 *
 * Rules every backend keeps (the contract suite in `contract.ts` checks them):
 * - Table names given to `insert` are relative to `database`; SQL text given to `query` and
 *   `exec` names its tables itself (`${store.database}.bundle_outcomes`), so the same SQL runs
 *   on chDB and on a server.
 * - Values are bound server-side: `{name:Type}` placeholders with `params`, never spliced.
 * - `query` returns JSON rows; 64-bit integers come back as strings on every backend.
 * - Errors are LandfallErrors: `LF_STORE_UNAVAILABLE` when the store could not be reached or
 *   was overloaded (worth retrying), `LF_STORE_INSERT` / `LF_STORE_QUERY` when it refused the
 *   statement or the data (retrying the same thing fails again).
 * - `close()` waits for running statements and releases the backend (chDB's data directory).
 */
export type StoreKind = 'chdb' | 'server';

export type QueryParams = Record<string, unknown>;

export interface StoreHealth {
  ok: boolean;
  detail: string;
}

/** Rows already encoded for one insert statement (the sink's path: see row-encoder.ts). */
export interface EncodedInsert {
  /** Text formats only: chDB's raw insert takes no binary body. */
  readonly format: 'JSONCompactEachRow' | 'JSONEachRow' | 'TabSeparated';
  readonly columns: readonly string[];
  /** One row per line, UTF-8; the caller does not touch it until the insert settles. */
  readonly body: Uint8Array;
}

export interface Store {
  readonly kind: StoreKind;
  /** The database Landfall's tables live in. */
  readonly database: string;
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Inserts rows (JSON objects keyed by column name) into `database.table`. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  /** Inserts encoded rows into `database.table`, the bytes passed through as they are. */
  insertEncoded(table: string, rows: EncodedInsert): Promise<void>;
  /** Runs a statement that returns no rows (DDL, OPTIMIZE, SYSTEM …). */
  exec(sql: string, params?: QueryParams): Promise<void>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
