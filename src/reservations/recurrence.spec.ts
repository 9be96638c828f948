import { expandRecurrence, RecurrenceError } from './recurrence';

describe('expandRecurrence', () => {
  it('expands on the local wall clock of the center', () => {
    const starts = expandRecurrence('FREQ=WEEKLY;COUNT=3', new Date('2026-12-01T00:00:00Z'), 'Asia/Tokyo');
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-08T00:00:00.000Z', '2026-12-15T00:00:00.000Z']);
  });

  it('keeps the local time across a daylight-saving change', () => {
    // 09:00 in Berlin: 08:00Z in winter, 07:00Z after the change on 2027-03-28.
    const starts = expandRecurrence('FREQ=WEEKLY;COUNT=2', new Date('2027-03-22T08:00:00Z'), 'Europe/Berlin');
    expect(starts.map((d) => d.toISOString())).toEqual(['2027-03-22T08:00:00.000Z', '2027-03-29T07:00:00.000Z']);
  });

  it('refuses rules without an end, with too many occurrences, or that do not parse', () => {
    expect(() => expandRecurrence('FREQ=DAILY', new Date(), 'UTC')).toThrow(/must end/);
    expect(() => expandRecurrence('FREQ=DAILY;COUNT=500', new Date(), 'UTC')).toThrow(/more than 100/);
    expect(() => expandRecurrence('FREQ=SOMETIMES;COUNT=2', new Date(), 'UTC')).toThrow(RecurrenceError);
    expect(() => expandRecurrence('DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;COUNT=2', new Date(), 'UTC')).toThrow(/only the RRULE part/);
  });
});
