import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests that start servers (NATS, chDB) need room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // chDB allows one data directory per process: isolate test files in their own processes.
    pool: 'forks',
    // Lets tests force full collections (src/model/loader-gc.test.ts).
    execArgv: ['--expose-gc'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
