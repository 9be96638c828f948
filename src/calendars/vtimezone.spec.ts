import { vtimezone } from './vtimezone';

describe('vtimezone', () => {
  it('describes a zone without changes by its one offset', () => {
    expect(vtimezone('Asia/Tokyo', new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')).split('\r\n')).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Asia/Tokyo',
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      'TZOFFSETFROM:+0900',
      'TZOFFSETTO:+0900',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('lists every change in the span at the local time it happens', () => {
    const text = vtimezone('Europe/Berlin', new Date('2026-01-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z'));
    expect(text).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT');
    expect(text).toContain('BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD');
  });

  it('starts in daylight time when the span begins in it, and writes negative and half-hour offsets', () => {
    const text = vtimezone('America/St_Johns', new Date('2026-07-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    expect(text).toMatch(/^BEGIN:VTIMEZONE\r\nTZID:America\/St_Johns\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0230\r\nTZOFFSETTO:-0230/);
    expect(text).toContain('TZOFFSETFROM:-0230\r\nTZOFFSETTO:-0330');
  });
});
