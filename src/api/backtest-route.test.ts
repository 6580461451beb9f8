import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness } from './testing.js';

/**
 * POST /api/backtest refuses what it cannot run, naming the field: bad seeds, too many seeds,
 * minutes out of range, too much work in all, unknown fields. A run itself goes through the
 * compiled worker and is followed in the README tour's browser test (src/system/tour.test.ts).
 */
describe('POST /api/backtest', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = async (payload: unknown, token?: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/backtest',
      payload: payload as Record<string, unknown>,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  it('needs a token', async () => {
    const res = await post({ seeds: '1', minutes: 1 });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a bad request with 400 naming the field, for a viewer as for an admin', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ seeds: 'one', minutes: 5 }, 'seeds', /not a seed/],
      [{ seeds: '3-1' }, 'seeds', /low to high/],
      [{ seeds: '1-20', minutes: 1 }, 'seeds', /more than 8 seeds/],
      // Refused before the range is expanded: this one would take the process's memory.
      [{ seeds: '0-9007199254740990', minutes: 1 }, 'seeds', /more than 8 seeds/],
      [{ seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9], minutes: 1 }, 'seeds', /./],
      [{ seeds: [], minutes: 1 }, 'seeds', /./],
      [{ seeds: '1', minutes: 0 }, 'minutes', /./],
      [{ seeds: '1', minutes: 61 }, 'minutes', /./],
      [{ seeds: '1', minutes: 2.5 }, 'minutes', /./],
      [{ seeds: '1-8', minutes: 60 }, 'minutes', /over 240 simulated minutes/],
      [{ seeds: '1', minutes: 1, jobs: 4 }, 'jobs', /unknown field/],
      [{ minutes: 1 }, 'seeds', /./],
    ];
    for (const role of ['viewer', 'admin'] as const) {
      const token = await h.token(role);
      for (const [body, field, message] of cases) {
        const res = await post(body, token);
        const what = `${role} ${JSON.stringify(body)}`;
        expect(res.statusCode, what).toBe(400);
        const error = res.json().error as { code: string; field: string; message: string };
        expect(error.code, what).toBe('LF_API_INVALID_BODY');
        expect(error.field, what).toBe(field);
        expect(error.message, what).toMatch(message);
      }
    }
  });
});
