import { isIsoTimeWithOffset } from './iso-time';

describe('isIsoTimeWithOffset', () => {
  it('accepts real instants with an offset', () => {
    for (const value of ['2026-12-01T09:00:00+09:00', '2026-12-01T00:00Z', '2026-12-01T09:00:00.123-05:00', '2028-02-29T12:00:00Z']) expect(isIsoTimeWithOffset(value)).toBe(true);
  });

  it('refuses times without an offset, impossible dates and other shapes', () => {
    for (const value of ['2026-12-01T09:00:00', '2026-12-01', '2026-02-30T09:00:00Z', '2026-13-01T09:00:00Z', '2026-12-01T25:00:00Z', '2026-12-01 09:00:00Z', 'tomorrow', 42, null]) {
      expect(isIsoTimeWithOffset(value)).toBe(false);
    }
  });
});
