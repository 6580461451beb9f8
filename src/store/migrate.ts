import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LandfallError, reasonOf } from '../errors.js';
import type { Store } from './types.js';

/**
 * The SQL files, read at run time from the source tree. The path is taken from the package
 * root, so it is the same folder whether this module runs from src/ (vitest) or dist/ (the
 * built CLI): tsc does not copy .sql files, and the SQL stays plain SQL.
 */
export const MIGRATIONS_DIR = fileURLToPath(
  new URL('../../src/store/migrations/', import.meta.url),
);

/** `core`: the tables. `kafka`: ClickHouse's own Kafka consumers, applied only when asked. */
export type MigrationTrack = 'core' | 'kafka';

export interface Migration {
  /** Recorded name: the file name, prefixed with `kafka/` for the Kafka track. */
  name: string;
  file: string;
  text: string;
  checksum: string;
}

export interface MigrateOptions {
  ttl: { moveToColdDays: number; deleteDays: number };
  /** Put the large tables on the `hot_cold` policy with a TTL move to volume `cold`. */
  tiering: boolean;
  /** Also apply the Kafka track with these settings. */
  kafka?: { brokers: readonly string[]; group: string; topicPrefix: string };
  /** Where the files are; tests point it elsewhere. */
  dir?: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

export function listMigrations(track: MigrationTrack, dir = MIGRATIONS_DIR): Migration[] {
  const folder = track === 'core' ? dir : `${dir}/kafka`;
  return readdirSync(folder)
    .filter((f) => FILE_PATTERN.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(`${folder}/${f}`, 'utf8');
      return {
        name: track === 'core' ? f : `kafka/${f}`,
        file: `${folder}/${f}`,
        text,
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in file order, each once.
 * A file that was applied and has changed since is refused (add a new file instead); a
 * statement the server rejects stops the run with the file, the statement and the reason.
 */
export async function migrate(store: Store, options: MigrateOptions): Promise<MigrateResult> {
  const db = store.database;
  await run(store, 'setup', `CREATE DATABASE IF NOT EXISTS ${db}`);
  await run(
    store,
    'setup',
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
     (name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
     ENGINE = ReplacingMergeTree(applied_at) ORDER BY name`,
  );
  const rows = await store.query<{ name: string; checksum: string }>(
    `SELECT name, checksum FROM ${db}.schema_migrations FINAL`,
  );
  const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
  const dir = options.dir ?? MIGRATIONS_DIR;
  const pending = [
    ...listMigrations('core', dir),
    ...(options.kafka ? listMigrations('kafka', dir) : []),
  ];
  const vars = variables(db, options);
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const m of pending) {
    const previous = recorded.get(m.name);
    if (previous !== undefined) {
      if (previous !== m.checksum) {
        throw new LandfallError(
          'LF_STORE_MIGRATION',
          `migration ${m.file} changed after it was applied (checksum ${previous}, now ${m.checksum}); ` +
            'applied migrations are immutable: add a new numbered file instead',
        );
      }
      result.alreadyApplied.push(m.name);
      continue;
    }
    const statements = splitStatements(render(m, vars));
    for (const [i, sql] of statements.entries()) {
      await run(store, `${m.file}, statement ${i + 1} of ${statements.length}`, sql);
    }
    await store.insert('schema_migrations', [{ name: m.name, checksum: m.checksum }]);
    result.applied.push(m.name);
  }
  return result;
}

async function run(store: Store, where: string, sql: string): Promise<void> {
  try {
    await store.exec(sql);
  } catch (cause) {
    throw new LandfallError(
      'LF_STORE_MIGRATION',
      `migration failed at ${where}: ${reasonOf(cause)}`,
      {
        cause,
      },
    );
  }
}

function variables(database: string, options: MigrateOptions): Record<string, string> {
  const { moveToColdDays, deleteDays } = options.ttl;
  const vars: Record<string, string> = {
    database,
    tiered_ttl: options.tiering
      ? `TTL dt + INTERVAL ${moveToColdDays} DAY TO VOLUME 'cold', dt + INTERVAL ${deleteDays} DAY DELETE`
      : `TTL dt + INTERVAL ${deleteDays} DAY DELETE`,
    tiered_settings: options.tiering ? `SETTINGS storage_policy = 'hot_cold'` : '',
  };
  if (options.kafka) {
    vars.kafka_brokers = plain('bus.kafka.brokers', options.kafka.brokers.join(','));
    vars.kafka_group = plain('store.kafkaEngine.group', options.kafka.group);
    vars.topic_prefix = plain('store.kafkaEngine.topicPrefix', options.kafka.topicPrefix);
  }
  return vars;
}

/** Values spliced into SQL literals: host names, ports, topic and group names only. */
function plain(setting: string, value: string): string {
  if (!/^[A-Za-z0-9._:,[\]-]*$/.test(value)) {
    throw new LandfallError(
      'LF_STORE_MIGRATION',
      `${setting} "${value}" may hold only letters, digits and . _ : , [ ] - for the Kafka engine`,
    );
  }
  return value;
}

/** The SQL without its comment lines (which may hold quotes and semicolons freely). */
export function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
}

function render(m: Migration, vars: Record<string, string>): string {
  return withoutComments(m.text).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      throw new LandfallError(
        'LF_STORE_MIGRATION',
        `migration ${m.file} uses {{${name}}}, which Landfall does not define`,
      );
    }
    return value;
  });
}

/** Statements end with `;` at the end of a line (the files keep semicolons out of literals). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
