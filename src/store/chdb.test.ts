import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../config/load.js';
import { storeContract } from './contract.js';

// chDB serves one data directory per process; vitest runs each test file in its own process.
storeContract({
  name: 'chdb',
  config: () =>
    validateConfig({
      home: mkdtempSync(join(tmpdir(), 'lf-store-chdb-')),
      store: { kind: 'chdb', database: 'landfall_contract' },
    }),
});
