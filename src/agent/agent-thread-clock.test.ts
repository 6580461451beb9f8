import { describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { FollowedClock } from './agent-thread-clock.js';
import { sharedWallMs, ThreadShare } from './agent-thread-share.js';

describe('the market clock followed from the agents thread', () => {
  it('stands still at virtual pace and runs each timer a jump passed over at its own instant', async () => {
    const share = new ThreadShare();
    share.writeClock(10_000, sharedWallMs(), 0);
    const clock = new FollowedClock(share);
    expect(clock.now()).toBe(10_000);
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      if (fired.length < 3) clock.schedule(1_000, tick);
    };
    clock.schedule(1_000, tick);
    const cancelled = clock.schedule(500, () => fired.push(-1));
    cancelled();
    share.writeClock(13_500, sharedWallMs(), 0);
    await until(() => fired.length === 3, 'three ticks');
    expect(fired).toEqual([11_000, 12_000, 13_000]);
    expect(clock.now()).toBe(13_500);
  });

  it('carries the time forward at the market pace and never goes back', () => {
    const share = new ThreadShare();
    const wall = sharedWallMs();
    share.writeClock(50_000, wall - 100, 20);
    const clock = new FollowedClock(share);
    // At least 100 wall ms at 20 market ms each since the write.
    const carried = clock.now();
    expect(carried).toBeGreaterThanOrEqual(52_000);
    share.writeClock(51_000, sharedWallMs(), 20);
    expect(clock.now()).toBeGreaterThanOrEqual(carried);
  });
});
