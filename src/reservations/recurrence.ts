import { TZDate } from '@date-fns/tz';
import { rrulestr } from 'rrule';

export const MAX_SERIES_OCCURRENCES = 100;

export class RecurrenceError extends Error {}

/**
 * Expands an RRULE (e.g. `FREQ=WEEKLY;BYDAY=TU;COUNT=8`) from the first occurrence's start, on
 * the wall clock of `timezone`: a weekly 09:00 booking stays at 09:00 across daylight-saving
 * changes. The rule must end (COUNT or UNTIL) and yield at most `max` occurrences.
 */
export function expandRecurrence(rule: string, firstStart: Date, timezone: string, max = MAX_SERIES_OCCURRENCES): Date[] {
  if (/DTSTART|\n/i.test(rule)) throw new RecurrenceError('give only the RRULE part; the series starts at start');
  const local = new TZDate(firstStart.getTime(), timezone);
  // rrule computes in "floating" time: the local wall clock written as if it were UTC.
  const floatingStart = new Date(Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds()));
  let parsed;
  try {
    parsed = rrulestr(rule.replace(/^RRULE:/i, ''), { dtstart: floatingStart });
  } catch (error) {
    throw new RecurrenceError(`is not a valid RRULE: ${(error as Error).message}`);
  }
  if (!('options' in parsed) || (parsed.options.count === null && parsed.options.until === null)) {
    throw new RecurrenceError('must end: give COUNT or UNTIL');
  }
  const floating = parsed.all((_, i) => i < max + 1);
  if (floating.length > max) throw new RecurrenceError(`expands to more than ${max} occurrences`);
  return floating.map(
    (f) => new Date(new TZDate(f.getUTCFullYear(), f.getUTCMonth(), f.getUTCDate(), f.getUTCHours(), f.getUTCMinutes(), f.getUTCSeconds(), timezone).getTime()),
  );
}
