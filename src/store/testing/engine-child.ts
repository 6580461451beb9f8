// Runs SQL in a fresh ClickHouse engine in a process of its own, and prints each query's rows
// as one JSON array on stdout. chDB serves one engine per process: a second process is the
// honest way to see what a restarted engine finds on disk (and in the bucket), and to load a
// config file other than the one the test's own store was opened with.
//
//   store:      opens the Landfall store from a config (as `landfall` would) and runs `sql`
//   configFile: opens a bare engine on `data` with `--config-file=<configFile>`
import { validateConfig } from '../../config/load.js';
import { openStore } from '../client.js';

export type EngineChildJob =
  | { kind: 'store'; raw: Record<string, unknown>; sql: string[] }
  | { kind: 'configFile'; data: string; configFile: string; sql: string[] };

async function run(job: EngineChildJob): Promise<unknown[][]> {
  const out: unknown[][] = [];
  if (job.kind === 'store') {
    const config = validateConfig(job.raw);
    const store = await openStore(config.store, { home: config.home });
    try {
      for (const sql of job.sql) out.push(await store.query(sql));
    } finally {
      await store.close();
    }
    return out;
  }
  const { Session } = await import('chdb');
  const session = new Session(job.data, { connectionArgs: [`--config-file=${job.configFile}`] });
  try {
    for (const sql of job.sql) {
      const text = String(session.query(sql, 'JSONEachRow'));
      out.push(
        text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown),
      );
    }
  } finally {
    session.close();
  }
  return out;
}

const job = JSON.parse(process.argv[2] ?? '{}') as EngineChildJob;
process.stdout.write(JSON.stringify(await run(job)));
