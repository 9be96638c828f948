import { TZDate } from '@date-fns/tz';
import type { AccessClass } from './dataset.entity';

/** A center's embargo rule: so many years from the start of the fiscal year after the measurement. */
export interface EmbargoRule {
  years: number;
  /** 1-12; April (4) in Japan. */
  fiscalYearStartMonth: number;
}

/**
 * The default embargo end (a date, YYYY-MM-DD) for data measured at `measuredAt`, read in the
 * center's time zone: the start of the next fiscal year after the measurement, plus the
 * rule's years. Measured 2026-11-28 in Japan (FY2026, from 2026-04-01): 2027-04-01 + 2 years
 * = 2029-04-01.
 */
export function defaultEmbargoEnd(measuredAt: Date, timezone: string, rule: EmbargoRule): string {
  const local = new TZDate(measuredAt.getTime(), timezone);
  const month = local.getMonth() + 1;
  const fiscalYearStart = month >= rule.fiscalYearStartMonth ? local.getFullYear() : local.getFullYear() - 1;
  const year = fiscalYearStart + 1 + rule.years;
  return `${year}-${String(rule.fiscalYearStartMonth).padStart(2, '0')}-01`;
}

/** The same date one year later (an embargo extension). */
export function oneYearLater(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  // 29 February has no counterpart next year: the extension ends on 28 February.
  const lastDay = new Date(Date.UTC(year + 1, month, 0)).getUTCDate();
  return `${year + 1}-${String(month).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}

/**
 * The Cabinet Office's class for the national data platform (公開 / 共有 / 非共有・非公開 /
 * 公開期間猶予): open data still under embargo is 公開期間猶予 (publication deferred).
 */
export function cabinetOfficeClass(accessClass: AccessClass, embargoUntil: string | null, today: string): string {
  if (accessClass === 'closed') return '非共有・非公開';
  if (accessClass === 'shared') return '共有';
  return embargoUntil && embargoUntil > today ? '公開期間猶予' : '公開';
}
