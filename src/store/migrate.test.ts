import { describe, expect, it } from 'vitest';
import { listMigrations, splitStatements, withoutComments } from './migrate.js';

describe('migration files', () => {
  it('are numbered, ordered, and found from the source tree', () => {
    expect(listMigrations('core').map((m) => m.name)).toEqual([
      '0001_telemetry.sql',
      '0002_control_plane.sql',
      '0003_metrics_counters.sql',
      '0004_windowed_metrics_signed_control.sql',
      '0005_shadow_scores.sql',
      '0006_stage_latency.sql',
      '0007_paper_exploration.sql',
    ]);
    expect(listMigrations('kafka').map((m) => m.name)).toEqual([
      'kafka/0001_kafka_engine.sql',
      'kafka/0002_kafka_metrics_counters.sql',
      'kafka/0003_kafka_train_state.sql',
      'kafka/0004_kafka_windowed_signed.sql',
      'kafka/0005_kafka_shadow_scores.sql',
      'kafka/0006_kafka_stage_latency.sql',
      'kafka/0007_kafka_paper_exploration.sql',
    ]);
  });

  it('split into statements at semicolons that end a line', () => {
    expect(
      splitStatements("CREATE TABLE a (x String DEFAULT 'a;b');\n\nSELECT 1 ;  \nSELECT 2"),
    ).toEqual(["CREATE TABLE a (x String DEFAULT 'a;b')", 'SELECT 1', 'SELECT 2']);
  });

  it('keep semicolons out of literals, where the splitter would cut', () => {
    for (const m of [...listMigrations('core'), ...listMigrations('kafka')]) {
      for (const statement of splitStatements(withoutComments(m.text))) {
        expect(
          statement.split("'").length % 2,
          `${m.name}: unbalanced quotes in ${statement.slice(0, 60)}`,
        ).toBe(1);
      }
    }
  });
});
