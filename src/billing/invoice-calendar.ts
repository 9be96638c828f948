import { TZDate } from '@date-fns/tz';
import { format, lastDayOfMonth } from 'date-fns';

/**
 * The fiscal year an instant falls in, at a center: named by the calendar year it starts in
 * (Japan: April 2026 – March 2027 is fiscal 2026), with the date taken in the center's zone.
 */
export function fiscalYearOf(instant: Date, timezone: string, startMonth: number): number {
  const local = new TZDate(instant.getTime(), timezone);
  const month = local.getMonth() + 1;
  return month >= startMonth ? local.getFullYear() : local.getFullYear() - 1;
}

/** `KNS-2026-000123`: the center's code, the fiscal year, and the gapless sequence. */
export function invoiceNumber(centerCode: string, fiscalYear: number, sequence: number): string {
  return `${centerCode}-${fiscalYear}-${String(sequence).padStart(6, '0')}`;
}

/** The first and last day of a `YYYY-MM` month. */
export function monthPeriod(month: string): { periodStart: string; periodEnd: string } {
  const [year, mon] = month.split('-').map(Number);
  const first = new Date(Date.UTC(year, mon - 1, 1));
  const last = new Date(Date.UTC(year, mon, 0));
  return { periodStart: first.toISOString().slice(0, 10), periodEnd: last.toISOString().slice(0, 10) };
}

/** Days from `a` to `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Payment terms 月末締め翌月末払い: the last day of the month after `date` (`YYYY-MM-DD`). */
export function endOfNextMonth(date: string): string {
  const [year, month] = date.split('-').map(Number);
  return format(lastDayOfMonth(new Date(year, month, 1)), 'yyyy-MM-dd');
}
