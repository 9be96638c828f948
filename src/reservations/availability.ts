import { tzOffset } from '@date-fns/tz';
import type { BookableHours, BookingPolicy } from '../equipment/equipment.entity';

/**
 * Free-time computation for `GET /equipment/:id/availability`: pure functions, no I/O.
 *
 * Semantics of one free interval `[start, end)` for a requested duration `d` (minutes):
 * - it is a span a booking may occupy (booked time, without its clean-down buffer);
 * - `start` is the earliest grid-aligned start in the span (the grid is `slotMinutes` counted
 *   from local midnight in the center's time zone, as the slot-granularity rule checks it),
 *   never before `now + leadMinutes` and never after `now + horizonDays`;
 * - `end` is the earliest of: the closing time of the bookable-hours window, the window's `to`,
 *   `buffer` minutes before the next busy period (the booking's own clean-down must stay clear
 *   of it), and `now + horizonDays + d` (so no start lies beyond the horizon);
 * - `end − start ≥ d`; shorter spans are left out;
 * - consequently every booking `[s, s + d')` with `s` on the grid, `start ≤ s`, `s + d' ≤ end`
 *   and `d'` a permitted duration `≥ d` keeps the slot, lead, horizon, bookable-hours and
 *   no-overlap rules (`end` itself need not be on the grid when a busy period is off the grid);
 * - a busy period is a stored period `[start, end + its buffer)`; a booking must start at or after
 *   its end and end at least `buffer` minutes before its start;
 * - with bookable hours, an interval never spans two windows (a booking may not cross closed
 *   hours, nor run from one window into the next), unless the policy allows crossing closed
 *   hours: then only the start must lie in a window, and an interval may run on past closing
 *   time until the next busy period, its `end` capped at the last grid start in the window plus
 *   `d` (so every start it offers is still inside the window); without bookable hours the whole
 *   `[from, to)` window is open and intervals may cross midnight. Intervals are sorted by start;
 *   one that lies inside another (from overlapping windows) is dropped.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface TimeRange {
  start: Date;
  end: Date;
}

export interface FreeTimeInput {
  /** The requested window `[from, to)`. */
  from: Date;
  to: Date;
  now: Date;
  /** The center's IANA time zone. */
  timezone: string;
  policy: Pick<BookingPolicy, 'slotMinutes' | 'leadMinutes' | 'horizonDays' | 'bufferMinutes' | 'bookableHours' | 'allowCrossingClosedHours'>;
  /** The booking length the caller asks for, in minutes (a multiple of slotMinutes). */
  durationMinutes: number;
  /** Stored periods of active reservations (buffer included), in any order, possibly overlapping. */
  busy: TimeRange[];
}

const hhmm = (value: string) => Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));

/** Why `duration` is not acceptable for this policy, or null when it is. */
export function durationProblem(policy: Pick<BookingPolicy, 'slotMinutes' | 'minMinutes' | 'maxMinutes'>, duration: number): string | null {
  if (!Number.isInteger(duration) || duration % policy.slotMinutes !== 0) return `must be a multiple of the ${policy.slotMinutes}-minute slot`;
  if (duration < policy.minMinutes) return `must be at least ${policy.minMinutes} minutes`;
  if (duration > policy.maxMinutes) return `must be at most ${policy.maxMinutes} minutes`;
  return null;
}

/**
 * Wall-clock arithmetic in one IANA time zone. A "wall" value is the local date and time written
 * as if it were UTC milliseconds. `@date-fns/tz` gives the offsets; `TZDate` objects cost tens of
 * microseconds each, so a 62-day window is walked with plain numbers and one offset look-up a day.
 */
class Zone {
  constructor(private readonly name: string) {}

  offset(instant: number): number {
    return tzOffset(this.name, new Date(instant)) * MINUTE;
  }

  toWall(instant: number): number {
    return instant + this.offset(instant);
  }

  /** The instant showing `wall`, trying `hint` (an offset in ms) first; after a DST jump for a skipped time. */
  fromWall(wall: number, hint = this.offset(wall)): number {
    const guess = wall - hint;
    const offset = this.offset(guess);
    return offset === hint ? guess : wall - offset;
  }
}

/**
 * The first instant at or after `time` on the slot grid: whole minutes whose minute-of-day in
 * `timezone` is a multiple of `slotMinutes` (local midnight is always on the grid).
 */
export function alignToGrid(time: Date, slotMinutes: number, timezone: string): Date {
  const zone = new Zone(timezone);
  let instant = Math.ceil(time.getTime() / MINUTE) * MINUTE;
  // One round normally; more only when a DST shift moves the local clock on the way.
  for (let round = 0; round < 4; round++) {
    const minutes = ((Math.floor(zone.toWall(instant) / MINUTE) % 1440) + 1440) % 1440;
    const rest = minutes % slotMinutes;
    if (rest === 0) break;
    instant += Math.min(slotMinutes - rest, 1440 - minutes) * MINUTE;
  }
  return new Date(instant);
}

/**
 * The open spans inside `[from, to)`: each bookable-hours window of each local day, clipped to
 * the window; the whole of `[from, to)` when the policy has no bookable hours.
 */
export function openSpans(from: Date, to: Date, timezone: string, bookableHours: BookableHours[] | undefined): TimeRange[] {
  if (from >= to) return [];
  if (!bookableHours?.length) return [{ start: from, end: to }];
  const zone = new Zone(timezone);
  const spans: TimeRange[] = [];
  let offset = zone.offset(from.getTime());
  let dayWall = Math.floor((from.getTime() + offset) / DAY) * DAY;
  let dayStart = zone.fromWall(dayWall, offset);
  while (dayStart < to.getTime()) {
    const nextWall = dayWall + DAY;
    offset = dayWall - dayStart;
    const nextStart = zone.fromWall(nextWall, offset);
    // On a day without an offset change, wall minutes map straight onto instants.
    const steady = nextStart - dayStart === DAY;
    const instantOf = (minutes: number) => (steady ? dayStart + minutes * MINUTE : zone.fromWall(dayWall + minutes * MINUTE));
    const isoDay = ((new Date(dayWall).getUTCDay() + 6) % 7) + 1;
    for (const window of bookableHours) {
      if (!window.days.includes(isoDay)) continue;
      const start = Math.max(instantOf(hhmm(window.start)), from.getTime());
      const end = Math.min(instantOf(hhmm(window.end)), to.getTime());
      if (start < end) spans.push({ start: new Date(start), end: new Date(end) });
    }
    dayWall = nextWall;
    dayStart = nextStart;
  }
  return spans.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
}

/** Sorts and merges overlapping or touching ranges. */
export function mergeRanges(ranges: TimeRange[]): TimeRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start.getTime() <= last.end.getTime()) {
      if (range.end > last.end) last.end = range.end;
    } else {
      merged.push({ start: range.start, end: range.end });
    }
  }
  return merged;
}

/** The free intervals described at the top of this file. */
export function freeIntervals(input: FreeTimeInput): TimeRange[] {
  const { policy, timezone } = input;
  const duration = input.durationMinutes * MINUTE;
  const buffer = policy.bufferMinutes * MINUTE;
  const earliestStart = Math.max(input.from.getTime(), input.now.getTime() + policy.leadMinutes * MINUTE);
  const latestStart = input.now.getTime() + policy.horizonDays * DAY;
  const busy = mergeRanges(input.busy);
  const found: TimeRange[] = [];

  const consider = (gapStart: number, gapEnd: number) => {
    const earliest = Math.max(gapStart, earliestStart);
    if (gapEnd - earliest < duration || earliest > latestStart) return; // too short even before aligning
    const start = alignToGrid(new Date(earliest), policy.slotMinutes, timezone).getTime();
    if (start > latestStart) return;
    const end = Math.min(gapEnd, latestStart + duration);
    if (end - start >= duration) found.push({ start: new Date(start), end: new Date(end) });
  };

  const crossing = policy.allowCrossingClosedHours === true && !!policy.bookableHours?.length;
  for (const span of openSpans(input.from, input.to, timezone, policy.bookableHours)) {
    const spanStart = span.start.getTime();
    const spanEnd = span.end.getTime();
    if (spanEnd <= earliestStart || spanStart > latestStart) continue;
    // How far a booking starting in this span may run: to its end, or, when crossing closed
    // hours is allowed, to the last start in the span plus the duration (within [from, to)).
    const reach = crossing ? Math.min(lastGridStartBefore(spanEnd, policy.slotMinutes, timezone) + duration, input.to.getTime()) : spanEnd;
    let gapStart = spanStart;
    for (let i = firstEndingAfter(busy, spanStart); i < busy.length && gapStart < spanEnd; i++) {
      const blockedFrom = busy[i].start.getTime() - buffer;
      if (blockedFrom >= reach) break;
      consider(gapStart, blockedFrom);
      gapStart = Math.max(gapStart, busy[i].end.getTime());
    }
    if (gapStart < spanEnd) consider(gapStart, reach);
  }

  // Overlapping bookable-hours windows can yield an interval inside another: keep the larger.
  // Sorted by start, then longest first, an interval lies inside another exactly when an earlier
  // one reaches at least as far.
  found.sort((a, b) => a.start.getTime() - b.start.getTime() || b.end.getTime() - a.end.getTime());
  let reach = -Infinity;
  return found.filter((interval) => {
    if (interval.end.getTime() <= reach) return false;
    reach = interval.end.getTime();
    return true;
  });
}

/** The last grid point strictly before `time` (the grid restarts at each local midnight). */
function lastGridStartBefore(time: number, slotMinutes: number, timezone: string): number {
  const slot = slotMinutes * MINUTE;
  let candidate = alignToGrid(new Date(time - slot), slotMinutes, timezone).getTime();
  // Near midnight (or an offset change) the grid point after time − slot may not come before time.
  for (let back = 2; candidate >= time; back++) candidate = alignToGrid(new Date(time - back * slot), slotMinutes, timezone).getTime();
  for (let next = alignToGrid(new Date(candidate + 1), slotMinutes, timezone).getTime(); next < time; next = alignToGrid(new Date(candidate + 1), slotMinutes, timezone).getTime()) candidate = next;
  return candidate;
}

/** Index of the first merged busy range ending after `time` (ranges are disjoint and sorted). */
function firstEndingAfter(busy: TimeRange[], time: number): number {
  let low = 0;
  let high = busy.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (busy[mid].end.getTime() <= time) low = mid + 1;
    else high = mid;
  }
  return low;
}
