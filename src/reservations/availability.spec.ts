import { alignToGrid, durationProblem, FreeTimeInput, freeIntervals, mergeRanges, openSpans, TimeRange } from './availability';
import { checkBookingPolicy } from './booking-policy';

/** A wall-clock time in Tokyo (2026-12-02 is a Wednesday, 2026-12-05 a Saturday). */
const jst = (local: string) => new Date(`${local}:00+09:00`);
const range = (start: string, end: string): TimeRange => ({ start: jst(start), end: jst(end) });
const show = (ranges: TimeRange[]) =>
  ranges.map((r) => `${new Date(r.start.getTime() + 9 * 3_600_000).toISOString().slice(5, 16)}–${new Date(r.end.getTime() + 9 * 3_600_000).toISOString().slice(5, 16)}`);

const weekdays = [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }];
const base: FreeTimeInput = {
  from: jst('2026-12-02T00:00'),
  to: jst('2026-12-03T00:00'),
  now: jst('2026-12-01T09:00'),
  timezone: 'Asia/Tokyo',
  policy: { slotMinutes: 30, leadMinutes: 0, horizonDays: 30, bufferMinutes: 0, bookableHours: weekdays },
  durationMinutes: 60,
  busy: [],
};
const free = (changes: Partial<FreeTimeInput>, policy: Partial<FreeTimeInput['policy']> = {}) =>
  show(freeIntervals({ ...base, ...changes, policy: { ...base.policy, ...policy } }));

describe('availability: slot grid', () => {
  it('aligns starts to the grid counted from local midnight in the center’s time zone', () => {
    expect(alignToGrid(jst('2026-12-02T09:10'), 30, 'Asia/Tokyo')).toEqual(jst('2026-12-02T09:30'));
    expect(alignToGrid(jst('2026-12-02T09:30'), 30, 'Asia/Tokyo')).toEqual(jst('2026-12-02T09:30'));
    expect(alignToGrid(new Date(jst('2026-12-02T09:30').getTime() + 1), 30, 'Asia/Tokyo')).toEqual(jst('2026-12-02T10:00'));
    // 90-minute grid: 22:30 is the last point of the day, then local midnight.
    expect(alignToGrid(jst('2026-12-02T22:40'), 90, 'Asia/Tokyo')).toEqual(jst('2026-12-03T00:00'));
    // Kathmandu is UTC+05:45: its half-hour grid is not UTC's.
    expect(alignToGrid(new Date('2026-12-02T01:00:00Z'), 30, 'Asia/Kathmandu')).toEqual(new Date('2026-12-02T01:15:00Z'));
  });

  it('starts each free interval on the grid, never at an off-grid window or busy end', () => {
    expect(free({ from: jst('2026-12-02T09:10') })).toEqual(['12-02T09:30–12-02T18:00']);
    expect(free({ busy: [range('2026-12-02T09:00', '2026-12-02T10:10')] })).toEqual(['12-02T10:30–12-02T18:00']);
    expect(free({}, { bookableHours: [{ days: [3], start: '08:45', end: '12:00' }] })).toEqual(['12-02T09:00–12-02T12:00']);
  });

  it('leaves out a span too short for the duration once its start is aligned', () => {
    // 09:50–10:50 free, but the first grid start 10:00 leaves only 50 minutes.
    const busy = [range('2026-12-02T09:00', '2026-12-02T09:50'), range('2026-12-02T10:50', '2026-12-02T18:00')];
    expect(free({ busy })).toEqual([]);
    expect(free({ busy, durationMinutes: 30 })).toEqual(['12-02T10:00–12-02T10:50']);
  });
});

describe('availability: bookable hours', () => {
  it('keeps intervals inside each window and on the window’s days only', () => {
    expect(free({ from: jst('2026-12-04T00:00'), to: jst('2026-12-07T00:00') })).toEqual(['12-04T09:00–12-04T18:00']); // Fri; Sat and Sun closed
    expect(free({}, { bookableHours: undefined })).toEqual(['12-02T00:00–12-03T00:00']);
  });

  it('never lets an interval cross closed hours or run from one window into the next', () => {
    const split = [
      { days: [3], start: '09:00', end: '12:00' },
      { days: [3], start: '13:00', end: '18:00' },
    ];
    expect(free({}, { bookableHours: split })).toEqual(['12-02T09:00–12-02T12:00', '12-02T13:00–12-02T18:00']);
    const touching = [
      { days: [3], start: '09:00', end: '12:00' },
      { days: [3], start: '12:00', end: '18:00' },
    ];
    expect(free({}, { bookableHours: touching })).toEqual(['12-02T09:00–12-02T12:00', '12-02T12:00–12-02T18:00']);
    // The policy agrees: a booking across the touching windows is refused.
    const violations = checkBookingPolicy({
      start: jst('2026-12-02T11:00'),
      end: jst('2026-12-02T13:00'),
      now: base.now,
      policy: { ...base.policy, minMinutes: 30, maxMinutes: 240, requiresApproval: false, cancellationHours: 0, bookableHours: touching },
      timezone: 'Asia/Tokyo',
      equipmentStatus: 'available',
      remoteCapable: false,
      requiresQualification: false,
      mode: 'self',
      hasQualification: false,
      organizationWeekHours: 0,
      userFutureReservations: 0,
    });
    expect(violations.map((v) => v.rule)).toEqual(['bookable-hours']);
  });

  it('lets an interval run past closing time when the policy allows crossing closed hours, but only from a start inside the window', () => {
    // A two-hour booking may start up to 17:30 and run until 19:30; a booking at 19:00 runs into it.
    expect(free({ durationMinutes: 120, busy: [range('2026-12-02T19:00', '2026-12-02T20:00')] }, { allowCrossingClosedHours: true })).toEqual(['12-02T09:00–12-02T19:00']);
    expect(free({ durationMinutes: 120 }, { allowCrossingClosedHours: true })).toEqual(['12-02T09:00–12-02T19:30']);
    expect(free({ durationMinutes: 120 })).toEqual(['12-02T09:00–12-02T18:00']);
  });

  it('does not run past midnight when a window closes at 24:00, and opens again the next day', () => {
    const evenings = [{ days: [1, 2, 3, 4, 5, 6, 7], start: '20:00', end: '24:00' }];
    expect(free({ to: jst('2026-12-04T00:00') }, { bookableHours: evenings })).toEqual(['12-02T20:00–12-03T00:00', '12-03T20:00–12-04T00:00']);
  });

  it('clips windows to [from, to) and drops an interval lying inside one from an overlapping window', () => {
    const overlapping = [
      { days: [3], start: '09:00', end: '18:00' },
      { days: [3], start: '10:00', end: '12:00' },
      { days: [3], start: '16:00', end: '20:00' },
    ];
    expect(free({}, { bookableHours: overlapping })).toEqual(['12-02T09:00–12-02T18:00', '12-02T16:00–12-02T20:00']);
    expect(free({ from: jst('2026-12-02T10:00'), to: jst('2026-12-02T11:00') })).toEqual(['12-02T10:00–12-02T11:00']);
    expect(show(openSpans(jst('2026-12-02T10:00'), jst('2026-12-02T11:00'), 'Asia/Tokyo', weekdays))).toEqual(['12-02T10:00–12-02T11:00']);
  });
});

describe('availability: busy periods and buffers', () => {
  it('keeps the new booking’s buffer clear before a busy period, and starts after the stored buffer of the one before', () => {
    // A booking 11:00–12:00 with a 30-minute clean-down is stored as 11:00–12:30.
    const busy = [range('2026-12-02T11:00', '2026-12-02T12:30')];
    expect(free({ busy }, { bufferMinutes: 30 })).toEqual(['12-02T09:00–12-02T10:30', '12-02T12:30–12-02T18:00']);
    // Without a buffer the interval runs right up to the busy start.
    expect(free({ busy: [range('2026-12-02T11:00', '2026-12-02T12:00')] })).toEqual(['12-02T09:00–12-02T11:00', '12-02T12:00–12-02T18:00']);
  });

  it('honours a busy period just after the window through the buffer, and one starting before it', () => {
    const busy = [range('2026-12-02T08:00', '2026-12-02T09:30'), range('2026-12-02T18:15', '2026-12-02T19:00')];
    expect(free({ busy }, { bufferMinutes: 30 })).toEqual(['12-02T09:30–12-02T17:45']);
  });

  it('leaves no interval when the gap cannot hold the booking and its buffer', () => {
    // Gap 12:30–14:00 is 90 minutes; 60 minutes + 30 buffer fit exactly, 90 + 30 do not.
    const busy = [range('2026-12-02T09:00', '2026-12-02T12:30'), range('2026-12-02T14:00', '2026-12-02T18:00')];
    expect(free({ busy }, { bufferMinutes: 30 })).toEqual(['12-02T12:30–12-02T13:30']);
    expect(free({ busy, durationMinutes: 90 }, { bufferMinutes: 30 })).toEqual([]);
  });

  it('merges overlapping and touching busy periods', () => {
    expect(show(mergeRanges([range('2026-12-02T13:00', '2026-12-02T14:00'), range('2026-12-02T10:00', '2026-12-02T11:00'), range('2026-12-02T10:30', '2026-12-02T12:00'), range('2026-12-02T12:00', '2026-12-02T12:30')]))).toEqual([
      '12-02T10:00–12-02T12:30',
      '12-02T13:00–12-02T14:00',
    ]);
    const busy = [range('2026-12-02T10:00', '2026-12-02T11:00'), range('2026-12-02T10:30', '2026-12-02T12:00'), range('2026-12-02T09:30', '2026-12-02T10:15')];
    expect(free({ busy }, { bufferMinutes: 0 })).toEqual(['12-02T12:00–12-02T18:00']);
  });
});

describe('availability: lead time and horizon', () => {
  it('starts no earlier than now + lead time, on the grid', () => {
    expect(free({ now: jst('2026-12-02T09:05') }, { leadMinutes: 60 })).toEqual(['12-02T10:30–12-02T18:00']);
    expect(free({ now: jst('2026-12-02T17:05') }, { leadMinutes: 0 })).toEqual([]); // 17:30 leaves 30 minutes
  });

  it('starts no later than the horizon, so an interval ends at most one duration after it', () => {
    const horizon = { now: jst('2026-12-01T12:10'), to: jst('2026-12-04T00:00') };
    // Latest start: 2026-12-02 12:10, so 12:00 is the last grid start and 13:10 the last end for 60 minutes.
    expect(free(horizon, { horizonDays: 1 })).toEqual(['12-02T09:00–12-02T13:10']);
    expect(free({ ...horizon, durationMinutes: 120 }, { horizonDays: 1 })).toEqual(['12-02T09:00–12-02T14:10']);
  });

  it('answers nothing for a window in the past', () => {
    expect(free({ now: jst('2026-12-10T09:00') })).toEqual([]);
  });
});

describe('availability: duration', () => {
  const policy = { slotMinutes: 30, minMinutes: 60, maxMinutes: 240 };
  it('accepts multiples of the slot between min and max only', () => {
    expect(durationProblem(policy, 60)).toBeNull();
    expect(durationProblem(policy, 240)).toBeNull();
    expect(durationProblem(policy, 45)).toMatch(/multiple of the 30-minute slot/);
    expect(durationProblem(policy, 30)).toMatch(/at least 60/);
    expect(durationProblem(policy, 270)).toMatch(/at most 240/);
  });
});

describe('availability: agrees with the booking policy', () => {
  const MIN = 60_000;

  /** mulberry32: a small deterministic generator, so a failing seed can be replayed. */
  function random(seed: number) {
    let state = seed >>> 0;
    return (n: number) => {
      state = (state + 0x6d2b79f5) >>> 0;
      let x = Math.imul(state ^ (state >>> 15), 1 | state);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
  }

  /** Compares the free intervals with a brute-force walk through checkBookingPolicy. */
  function mismatches(seed: number, timezone: string, origin: Date): string[] {
    const pick = random(seed);
    const slotMinutes = [15, 30, 60, 100][pick(4)];
    const durationMinutes = slotMinutes * (1 + pick(4));
    const policy = {
      slotMinutes,
      minMinutes: slotMinutes,
      maxMinutes: slotMinutes * 8,
      leadMinutes: pick(4) * 45,
      horizonDays: 1 + pick(4),
      bufferMinutes: [0, 15, 30, 45][pick(4)],
      requiresApproval: false,
      cancellationHours: 0,
      allowCrossingClosedHours: pick(3) === 0,
      bookableHours: pick(4) === 0
        ? undefined
        : [
            { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
            { days: [6, 7], start: '01:00', end: '04:00' },
            { days: [6], start: '10:15', end: '14:30' },
            { days: [3], start: '19:00', end: '24:00' },
          ],
    };
    const from = new Date(origin.getTime() + pick(96) * 15 * MIN);
    const to = new Date(from.getTime() + (1 + pick(6)) * 24 * 60 * MIN);
    const now = new Date(origin.getTime() + pick(48 * 60) * MIN);
    const busy: TimeRange[] = [];
    for (let t = from.getTime() - 120 * MIN; t < to.getTime() + 120 * MIN; ) {
      t += (1 + pick(40)) * 15 * MIN;
      const end = t + (1 + pick(12)) * 15 * MIN;
      busy.push({ start: new Date(t), end: new Date(end) });
      t = end;
    }

    const intervals = freeIntervals({ from, to, now, timezone, policy, durationMinutes, busy });
    const duration = durationMinutes * MIN;
    const onGrid = (s: number) => alignToGrid(new Date(s), slotMinutes, timezone).getTime() === s;
    const listed = (s: number) => onGrid(s) && intervals.some((i) => i.start.getTime() <= s && s + duration <= i.end.getTime());
    const fits = (s: number) => {
      const end = s + duration;
      const rules = checkBookingPolicy({
        start: new Date(s),
        end: new Date(end),
        now,
        policy,
        timezone,
        equipmentStatus: 'available',
        remoteCapable: false,
        requiresQualification: false,
        mode: 'self',
        hasQualification: false,
        organizationWeekHours: 0,
        userFutureReservations: 0,
      });
      const blockedUntil = end + policy.bufferMinutes * MIN;
      return rules.length === 0 && s >= from.getTime() && end <= to.getTime() && busy.every((b) => blockedUntil <= b.start.getTime() || s >= b.end.getTime());
    };
    const wrong: string[] = [];
    const step = (slotMinutes === 100 ? 5 : 15) * MIN;
    for (let s = Math.floor(from.getTime() / step) * step; s < to.getTime(); s += step) {
      if (fits(s) !== listed(s)) wrong.push(`${new Date(s).toISOString()} fits=${fits(s)}`);
    }
    for (const interval of intervals) if (interval.end.getTime() - interval.start.getTime() < duration) wrong.push(`short ${interval.start.toISOString()}`);
    return wrong;
  }

  it('lists exactly the grid starts at which a booking of the duration keeps every time rule (Tokyo)', () => {
    for (let seed = 1; seed <= 30; seed++) expect({ seed, wrong: mismatches(seed, 'Asia/Tokyo', jst('2026-12-01T00:00')) }).toEqual({ seed, wrong: [] });
  });

  it('stays exact across daylight-saving changes and odd offsets', () => {
    const cases: [string, string][] = [
      ['Europe/Berlin', '2026-03-27T00:00:00+01:00'], // clocks jump 02:00 → 03:00 on Sunday 29 March
      ['Europe/Berlin', '2026-10-23T00:00:00+02:00'], // and fall back 03:00 → 02:00 on Sunday 25 October
      ['Asia/Kathmandu', '2026-12-01T00:00:00+05:45'],
    ];
    for (const [timezone, origin] of cases) {
      for (let seed = 1; seed <= 10; seed++) expect({ timezone, seed, wrong: mismatches(seed, timezone, new Date(origin)) }).toEqual({ timezone, seed, wrong: [] });
    }
  });
});
