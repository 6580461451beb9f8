import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SimSummary } from '../sim/index.js';
import { buildProgram } from './main.js';

describe('landfall sim', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the summary as JSON', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    await buildProgram().parseAsync([
      'node',
      'landfall',
      'sim',
      '--seed',
      '3',
      '--minutes',
      '2',
      '--json',
      '--route',
      'auto',
    ]);
    const summary = JSON.parse(out) as SimSummary;
    expect(summary.seed).toBe(3);
    expect(summary.simulatedMinutes).toBe(2);
    expect(summary.policy.route).toBe('auto');
  });

  it('names the flag at fault', async () => {
    await expect(
      buildProgram().parseAsync(['node', 'landfall', 'sim', '--minutes', '0']),
    ).rejects.toThrow(/--minutes expects a number of minutes/);
    await expect(
      buildProgram().parseAsync(['node', 'landfall', 'sim', '--route', 'carrier']),
    ).rejects.toThrow(/--route expects jito, direct or auto, got "carrier"/);
  });
});
