import { daysBetween, endOfNextMonth, fiscalYearOf, invoiceNumber, monthPeriod } from './invoice-calendar';

describe('invoice calendar', () => {
  it('takes the fiscal year in the center’s zone, starting in April by default', () => {
    expect(fiscalYearOf(new Date('2026-03-31T14:59:59Z'), 'Asia/Tokyo', 4)).toBe(2025); // 23:59 on 31 March in Tokyo
    expect(fiscalYearOf(new Date('2026-03-31T15:00:00Z'), 'Asia/Tokyo', 4)).toBe(2026); // 00:00 on 1 April in Tokyo
    expect(fiscalYearOf(new Date('2026-12-31T12:00:00Z'), 'Asia/Tokyo', 4)).toBe(2026);
    expect(fiscalYearOf(new Date('2026-01-01T00:30:00Z'), 'Europe/Berlin', 1)).toBe(2026);
    expect(fiscalYearOf(new Date('2025-12-31T23:30:00Z'), 'Europe/Berlin', 1)).toBe(2026);
  });

  it('numbers invoices per center and fiscal year with six digits', () => {
    expect(invoiceNumber('KNS', 2026, 1)).toBe('KNS-2026-000001');
    expect(invoiceNumber('KYU', 2025, 123456)).toBe('KYU-2025-123456');
  });

  it('turns a month into its period and computes the usual payment terms', () => {
    expect(monthPeriod('2026-02')).toEqual({ periodStart: '2026-02-01', periodEnd: '2026-02-28' });
    expect(monthPeriod('2028-02')).toEqual({ periodStart: '2028-02-01', periodEnd: '2028-02-29' });
    expect(monthPeriod('2026-12')).toEqual({ periodStart: '2026-12-01', periodEnd: '2026-12-31' });
    expect(endOfNextMonth('2026-01-31')).toBe('2026-02-28');
    expect(endOfNextMonth('2026-12-15')).toBe('2027-01-31');
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
  });
});
