import { tzOffset, tzScan } from '@date-fns/tz';

const DAY = 86_400_000;

/** `+0900`, `-0330`: a UTC offset in minutes as iCalendar writes it. */
function utcOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** The wall-clock time of `instant` at `offsetMinutes`, as an iCalendar local DATE-TIME. */
function localDateTime(instant: Date, offsetMinutes: number): string {
  return new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19).replace(/[-:]/g, '');
}

/**
 * A VTIMEZONE component for `timeZone` that is exact from `from` to `to`: the offset in force
 * at `from`, then every change the runtime's time zone data knows in that span. RFC 5545 wants
 * one for each TZID an event uses; calendar apps that know the IANA name use their own data.
 */
export function vtimezone(timeZone: string, from: Date, to: Date): string {
  const start = new Date(from.getTime() - DAY);
  const changes = tzScan(timeZone, { start, end: new Date(to.getTime() + DAY) });
  let offset = tzOffset(timeZone, start);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  const observance = (kind: 'STANDARD' | 'DAYLIGHT', dtstart: string, offsetFrom: number, offsetTo: number) =>
    lines.push(`BEGIN:${kind}`, `DTSTART:${dtstart}`, `TZOFFSETFROM:${utcOffset(offsetFrom)}`, `TZOFFSETTO:${utcOffset(offsetTo)}`, `END:${kind}`);
  // The offset in force before the first change: daylight time if the first change goes back.
  observance(changes[0]?.change < 0 ? 'DAYLIGHT' : 'STANDARD', '19700101T000000', offset, offset);
  for (const change of changes) {
    observance(change.change > 0 ? 'DAYLIGHT' : 'STANDARD', localDateTime(change.date, offset), offset, change.offset);
    offset = change.offset;
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}
