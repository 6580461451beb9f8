import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';

describe('gateway config', () => {
  it('has working defaults', () => {
    const g = validateConfig({}).gateway;
    expect(g).toMatchObject({ path: '/ws', heartbeatMs: 15_000, sampling: 'latest' });
    expect(g.queue.hardBytes).toBeGreaterThan(g.queue.softBytes);
  });

  it('names the field at fault', () => {
    expect(() =>
      validateConfig({ gateway: { queue: { softBytes: 65_536, hardBytes: 4_096 } } }),
    ).toThrow(/gateway\.queue\.hardBytes: hardBytes must be greater than softBytes/);
    expect(() => validateConfig({ gateway: { sampling: 'random' } })).toThrow(/gateway\.sampling/);
    expect(() => validateConfig({ gateway: { path: 'ws' } })).toThrow(
      /gateway\.path: expected an absolute URL path/,
    );
    expect(() => validateConfig({ gateway: { heartbeatMs: 0 } })).toThrow(/gateway\.heartbeatMs/);
  });
});
