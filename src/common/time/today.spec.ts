import { todayIn } from './today';

describe('todayIn', () => {
  it("gives the date in the zone, not UTC's", () => {
    const instant = new Date('2026-03-31T15:30:00Z');
    expect(todayIn('Asia/Tokyo', instant)).toBe('2026-04-01');
    expect(todayIn('UTC', instant)).toBe('2026-03-31');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-03-31');
  });
});
