import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

/** The date (YYYY-MM-DD) it is now in `timezone` (IANA, such as a center's): "today" as that center's staff count days. */
export function todayIn(timezone: string, now: Date = new Date()): string {
  return format(new TZDate(now.getTime(), timezone), 'yyyy-MM-dd');
}
