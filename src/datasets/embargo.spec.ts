import { cabinetOfficeClass, defaultEmbargoEnd, oneYearLater } from './embargo';

const JAPAN = { years: 2, fiscalYearStartMonth: 4 };

describe('embargo rules', () => {
  it('ends two years after the start of the fiscal year following the measurement (Japan: April)', () => {
    expect(defaultEmbargoEnd(new Date('2026-11-28T10:00:00+09:00'), 'Asia/Tokyo', JAPAN)).toBe('2029-04-01');
    expect(defaultEmbargoEnd(new Date('2026-02-10T10:00:00+09:00'), 'Asia/Tokyo', JAPAN)).toBe('2028-04-01');
    // 1 April 00:30 in Tokyo is still 31 March in UTC: the center's zone decides the fiscal year.
    expect(defaultEmbargoEnd(new Date('2026-03-31T15:30:00Z'), 'Asia/Tokyo', JAPAN)).toBe('2029-04-01');
    expect(defaultEmbargoEnd(new Date('2026-03-31T15:30:00Z'), 'UTC', JAPAN)).toBe('2028-04-01');
  });

  it('follows a center with another rule', () => {
    expect(defaultEmbargoEnd(new Date('2026-06-01T00:00:00Z'), 'Europe/Berlin', { years: 1, fiscalYearStartMonth: 1 })).toBe('2028-01-01');
  });

  it('extends by one year, 29 February becoming 28 February', () => {
    expect(oneYearLater('2029-04-01')).toBe('2030-04-01');
    expect(oneYearLater('2028-02-29')).toBe('2029-02-28');
  });

  it('maps access classes to the Cabinet Office values', () => {
    expect(cabinetOfficeClass('open', null, '2026-11-28')).toBe('公開');
    expect(cabinetOfficeClass('open', '2029-04-01', '2026-11-28')).toBe('公開期間猶予');
    expect(cabinetOfficeClass('open', '2026-01-01', '2026-11-28')).toBe('公開');
    expect(cabinetOfficeClass('shared', '2029-04-01', '2026-11-28')).toBe('共有');
    expect(cabinetOfficeClass('closed', null, '2026-11-28')).toBe('非共有・非公開');
  });
});
