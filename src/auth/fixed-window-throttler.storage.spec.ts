import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';

describe('FixedWindowThrottlerStorage', () => {
  let storage: FixedWindowThrottlerStorage;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-28T10:00:00Z') });
    storage = new FixedWindowThrottlerStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('counts hits per key and throttler and blocks past the limit', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await storage.increment('a', 60_000, 3, 60_000, 'login'));
    expect(results.map((r) => [r.totalHits, r.isBlocked])).toEqual([[1, false], [2, false], [3, false], [4, true]]);
    expect((await storage.increment('b', 60_000, 3, 60_000, 'login')).totalHits).toBe(1);
    expect((await storage.increment('a', 60_000, 3, 60_000, 'default')).totalHits).toBe(1);
  });

  it('starts a new window after the ttl, and lifts a block after its duration', async () => {
    for (let i = 0; i < 3; i++) await storage.increment('a', 1000, 2, 5000, 'x');
    jest.advanceTimersByTime(2000);
    expect((await storage.increment('a', 1000, 2, 5000, 'x')).isBlocked).toBe(true);
    jest.advanceTimersByTime(3001);
    const after = await storage.increment('a', 1000, 2, 5000, 'x');
    expect(after).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
