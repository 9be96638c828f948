import { TZDate } from '@date-fns/tz';
import type { BookingPolicy, EquipmentStatus } from '../equipment/equipment.entity';

export type BookingMode = 'self' | 'assisted' | 'remote';

/** Everything the rules need, gathered by the service inside the booking transaction. */
export interface BookingFacts {
  start: Date;
  end: Date;
  now: Date;
  policy: BookingPolicy;
  timezone: string;
  equipmentStatus: EquipmentStatus;
  remoteCapable: boolean;
  requiresQualification: boolean;
  mode: BookingMode;
  hasQualification: boolean;
  /** Hours the organization already holds on this equipment in the booking's week (this booking excluded). */
  organizationWeekHours: number;
  /** The booker's future active reservations on this equipment (this booking excluded). */
  userFutureReservations: number;
}

export interface RuleViolation {
  rule: string;
  message: string;
  /** Staff may book anyway with a recorded reason; blocking rules never yield. */
  overridable: boolean;
}

type Rule = (facts: BookingFacts) => RuleViolation | null;

const MINUTE = 60_000;

function localMinutes(date: Date, timezone: string): { day: number; minutes: number; dateKey: string } {
  const local = new TZDate(date.getTime(), timezone);
  const isoDay = local.getDay() === 0 ? 7 : local.getDay();
  return { day: isoDay, minutes: local.getHours() * 60 + local.getMinutes(), dateKey: `${local.getFullYear()}-${local.getMonth()}-${local.getDate()}` };
}

const hhmm = (value: string) => Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
const durationMinutes = (f: BookingFacts) => (f.end.getTime() - f.start.getTime()) / MINUTE;

/** The policy chain, in the order a user would fix things. Each rule names itself in a refusal. */
export const BOOKING_RULES: Rule[] = [
  (f) =>
    f.equipmentStatus === 'down' || f.equipmentStatus === 'retired'
      ? { rule: 'equipment-status', message: `the equipment is ${f.equipmentStatus} and cannot be booked`, overridable: false }
      : f.equipmentStatus === 'maintenance'
        ? { rule: 'equipment-status', message: 'the equipment is under maintenance', overridable: true }
        : null,
  (f) => (f.mode === 'remote' && !f.remoteCapable ? { rule: 'remote-operation', message: 'this equipment cannot be operated remotely', overridable: false } : null),
  (f) => {
    const { slotMinutes } = f.policy;
    const start = localMinutes(f.start, f.timezone).minutes;
    const onGrid = f.start.getSeconds() === 0 && f.end.getSeconds() === 0 && f.start.getMilliseconds() === 0 && f.end.getMilliseconds() === 0;
    return !onGrid || start % slotMinutes !== 0 || durationMinutes(f) % slotMinutes !== 0
      ? { rule: 'slot-granularity', message: `start and end must fall on the ${slotMinutes}-minute grid`, overridable: true }
      : null;
  },
  (f) => (durationMinutes(f) < f.policy.minMinutes ? { rule: 'minimum-duration', message: `bookings last at least ${f.policy.minMinutes} minutes`, overridable: true } : null),
  (f) => (durationMinutes(f) > f.policy.maxMinutes ? { rule: 'maximum-duration', message: `bookings last at most ${f.policy.maxMinutes} minutes`, overridable: true } : null),
  (f) =>
    f.start.getTime() < f.now.getTime() + f.policy.leadMinutes * MINUTE
      ? { rule: 'lead-time', message: `bookings start at least ${f.policy.leadMinutes} minutes from now`, overridable: true }
      : null,
  (f) =>
    f.start.getTime() > f.now.getTime() + f.policy.horizonDays * 24 * 60 * MINUTE
      ? { rule: 'horizon', message: `bookings start at most ${f.policy.horizonDays} days ahead`, overridable: true }
      : null,
  (f) => {
    const windows = f.policy.bookableHours;
    if (!windows?.length) return null;
    const start = localMinutes(f.start, f.timezone);
    const last = localMinutes(new Date(f.end.getTime() - 1), f.timezone);
    const fits = f.policy.allowCrossingClosedHours
      ? windows.some((w) => w.days.includes(start.day) && start.minutes >= hhmm(w.start) && start.minutes < hhmm(w.end))
      : windows.some((w) => start.dateKey === last.dateKey && w.days.includes(start.day) && start.minutes >= hhmm(w.start) && last.minutes + 1 <= hhmm(w.end));
    return fits ? null : { rule: 'bookable-hours', message: `bookings must lie within the bookable hours (${f.timezone})`, overridable: true };
  },
  (f) =>
    f.mode === 'self' && f.requiresQualification && !f.hasQualification
      ? { rule: 'qualification', message: 'self-use needs a valid qualification on this equipment', overridable: true }
      : null,
  (f) => {
    const max = f.policy.maxHoursPerOrganizationPerWeek;
    return max !== undefined && f.organizationWeekHours + durationMinutes(f) / 60 > max
      ? { rule: 'organization-weekly-hours', message: `the organization may book at most ${max} hours a week on this equipment`, overridable: true }
      : null;
  },
  (f) => {
    const max = f.policy.maxFutureReservationsPerUser;
    return max !== undefined && f.userFutureReservations + 1 > max
      ? { rule: 'user-future-reservations', message: `a user may hold at most ${max} future reservations on this equipment`, overridable: true }
      : null;
  },
];

export function checkBookingPolicy(facts: BookingFacts): RuleViolation[] {
  return BOOKING_RULES.map((rule) => rule(facts)).filter((violation): violation is RuleViolation => violation !== null);
}

/** Monday 00:00 to the next Monday in the center's time zone: the week a quota counts. */
export function bookingWeek(start: Date, timezone: string): { from: Date; to: Date } {
  const local = new TZDate(start.getTime(), timezone);
  const daysSinceMonday = (local.getDay() + 6) % 7;
  const monday = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() - daysSinceMonday, 0, 0, 0, timezone);
  const nextMonday = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() - daysSinceMonday + 7, 0, 0, 0, timezone);
  return { from: new Date(monday.getTime()), to: new Date(nextMonday.getTime()) };
}
