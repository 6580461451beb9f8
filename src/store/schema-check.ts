import { isLandfallError, LandfallError, reasonOf } from '../errors.js';
import { listMigrations } from './migrate.js';
import type { Store } from './types.js';

/**
 * Refuses a store whose schema is behind this build: every core migration must be recorded.
 * Without this a sink writing columns an older schema lacks has every batch refused, split
 * down to single rows and dead-lettered — all of it, with a reason that does not say why.
 */
export async function assertSchemaCurrent(store: Store): Promise<void> {
  let recorded: Set<string>;
  try {
    const rows = await store.query<{ name: string }>(
      `SELECT name FROM ${store.database}.schema_migrations FINAL`,
    );
    recorded = new Set(rows.map((r) => r.name));
  } catch (err) {
    if (isLandfallError(err, 'LF_STORE_UNAVAILABLE')) throw err;
    throw new LandfallError(
      'LF_STORE_MIGRATION',
      `the store ${store.database} has no migrations recorded (${reasonOf(err)}); ` +
        'run `landfall store migrate` first',
      { cause: err },
    );
  }
  const missing = listMigrations('core')
    .map((m) => m.name)
    .filter((name) => !recorded.has(name));
  if (missing.length === 0) return;
  throw new LandfallError(
    'LF_STORE_MIGRATION',
    `the store ${store.database} is behind this build: migrations ${missing.join(', ')} are not ` +
      'applied, and rows carry their columns; run `landfall store migrate` first',
  );
}
