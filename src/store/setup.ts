import type { Config, StoreConfig } from '../config/schema.js';
import { LandfallError } from '../errors.js';
import { type MigrateResult, migrate } from './migrate.js';
import type { Store } from './types.js';

export const STORAGE_POLICY = 'hot_cold';

/** True when the store defines the `hot_cold` policy with a volume named `cold`. */
export async function hasTieringPolicy(store: Store): Promise<boolean> {
  const rows = await store.query<{ n: string }>(
    `SELECT count() AS n FROM system.storage_policies
     WHERE policy_name = {policy:String} AND volume_name = 'cold'`,
    { policy: STORAGE_POLICY },
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/**
 * Decides whether new tables tier hot→cold (see `store.tiering` in the config schema).
 * chDB always has the policy (Landfall writes it), so its absence there is a bug worth
 * stopping for; a server has it only when its operator installed it.
 */
export async function resolveTiering(
  store: Store,
  setting: StoreConfig['tiering'],
): Promise<boolean> {
  if (setting === 'off') return false;
  const present = await hasTieringPolicy(store);
  if (present) return true;
  if (setting === 'on' || store.kind === 'chdb') {
    throw new LandfallError(
      'LF_STORE_MIGRATION',
      `the ${store.kind} store has no storage policy '${STORAGE_POLICY}' with a 'cold' volume, and ` +
        `tiering is required (store.tiering: ${setting}); install deploy/clickhouse/storage.xml on ` +
        'the server, or set store.tiering to auto or off',
    );
  }
  return false;
}

export interface MigrateStoreResult extends MigrateResult {
  tiering: boolean;
}

/** Applies the migrations with the settings of the configuration. */
export async function migrateStore(
  store: Store,
  config: Config,
  options: { kafkaEngine?: boolean } = {},
): Promise<MigrateStoreResult> {
  const tiering = await resolveTiering(store, config.store.tiering);
  const result = await migrate(store, {
    ttl: config.store.ttl,
    tiering,
    ...(options.kafkaEngine
      ? {
          kafka: {
            brokers: config.bus.kafka.brokers,
            group: config.store.kafkaEngine.group,
            topicPrefix: config.store.kafkaEngine.topicPrefix,
          },
        }
      : {}),
  });
  return { ...result, tiering };
}
