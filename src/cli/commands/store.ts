import type { Command } from 'commander';
import { openStore } from '../../store/client.js';
import { migrateStore } from '../../store/setup.js';
import type { Store } from '../../store/types.js';
import { configFrom } from '../context.js';

export function registerStore(program: Command): void {
  const store = program.command('store').description('the ClickHouse store: migrations and status');

  store
    .command('migrate')
    .description('apply the SQL migrations not yet applied, in order, each once')
    .option(
      '--kafka-engine',
      "also create ClickHouse's own Kafka consumers of the topics (a server that reaches " +
        'bus.kafka.brokers and has the .proto files; see deploy/clickhouse/README.md)',
    )
    .action(async (opts: { kafkaEngine?: boolean }, command: Command) => {
      const { config } = configFrom(command);
      const s = await openStore(config.store, { home: config.home });
      try {
        const result = await migrateStore(s, config, { kafkaEngine: opts.kafkaEngine === true });
        const lines = [
          `store: ${(await s.health()).detail}, database ${s.database}`,
          `tiering: ${result.tiering ? "hot_cold policy, TTL move to volume 'cold'" : 'off (delete TTL only)'}`,
          ...result.applied.map((m) => `applied ${m}`),
          `${result.alreadyApplied.length} already applied`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await s.close();
      }
    });

  store
    .command('status')
    .description('health, applied migrations, and rows and parts per table and disk')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { config } = configFrom(command);
      const s = await openStore(config.store, { home: config.home });
      try {
        const status = await storeStatus(s);
        process.stdout.write(
          opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status),
        );
      } finally {
        await s.close();
      }
    });
}

interface StoreStatus {
  health: { ok: boolean; detail: string };
  database: string;
  migrations: Array<{ name: string; applied_at: string }>;
  parts: Array<{ table: string; disk: string; parts: string; rows: string; bytes: string }>;
}

async function storeStatus(s: Store): Promise<StoreStatus> {
  const health = await s.health();
  const exists = await s.query<{ n: string }>(
    `SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'schema_migrations'`,
    { db: s.database },
  );
  const migrations =
    Number(exists[0]?.n ?? 0) > 0
      ? await s.query<{ name: string; applied_at: string }>(
          `SELECT name, toString(applied_at) AS applied_at FROM ${s.database}.schema_migrations FINAL ORDER BY name`,
        )
      : [];
  // Counted from part metadata: a count() over FINAL would read whole tables.
  const parts = await s.query<StoreStatus['parts'][number]>(
    `SELECT table, disk_name AS disk, count() AS parts, sum(rows) AS rows,
            formatReadableSize(sum(bytes_on_disk)) AS bytes
     FROM system.parts WHERE database = {db:String} AND active
     GROUP BY table, disk ORDER BY table, disk`,
    { db: s.database },
  );
  return { health, database: s.database, migrations, parts };
}

function formatStatus(st: StoreStatus): string {
  const lines = [
    `store: ${st.health.ok ? 'ok' : 'DOWN'}: ${st.health.detail}`,
    `database: ${st.database}`,
    `migrations: ${st.migrations.length === 0 ? 'none applied (run `landfall store migrate`)' : ''}`,
    ...st.migrations.map((m) => `  ${m.name}  ${m.applied_at}`),
    'parts (rows before deduplication):',
    ...st.parts.map(
      (p) =>
        `  ${p.table.padEnd(20)} ${p.disk.padEnd(8)} ${p.parts.padStart(5)} parts ${p.rows.padStart(12)} rows ${p.bytes}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
