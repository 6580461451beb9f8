import { describe, expect, it } from 'vitest';
import { workerExecArgv } from './module-worker.js';

describe('a module worker', () => {
  it('takes the Node options of its process, but not an eval script nor its input type', () => {
    expect(
      workerExecArgv([
        '--input-type=module',
        '-e',
        'await import("x")',
        '--max-old-space-size=512',
        '--input-type',
        'module',
        '--enable-source-maps',
      ]),
    ).toEqual(['--max-old-space-size=512', '--enable-source-maps']);
  });
});
