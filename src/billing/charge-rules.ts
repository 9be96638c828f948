import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { ChargeFor, EquipmentRates } from '../equipment/equipment.entity';
import type { RateCategory } from '../projects/project.entity';
import type { ChargeKind } from './charge.entity';

/** Consumption tax on instrument and staff time: the standard rate. */
export const STANDARD_TAX_RATE = 10;

/** Source lines of a reservation's charges: the tool's time (or the no-show / late-cancellation fee), then staff time. */
export const RESERVATION_TIME_LINE = 1;
export const RESERVATION_STAFF_LINE = 2;

/** What billing needs to know about a finished reservation, as the reservations module loads it. */
export interface ReservationChargeFacts {
  reservation: {
    id: string;
    kind: 'booking' | 'maintenance';
    status: string;
    mode: 'self' | 'assisted' | 'remote' | null;
    start: Date;
    end: Date;
    lateCancellation: boolean;
    /** Work done for an analysis service request is paid through the request's price, not by time. */
    serviceRequestId: string | null;
    organizationId: string | null;
    projectId: string | null;
  };
  /** Check-in/check-out sessions: the time actually used. */
  usages: { startedAt: Date; endedAt: Date | null }[];
  equipment: {
    id: string;
    centerId: string;
    code: string;
    rates: EquipmentRates;
    chargeFor: ChargeFor;
    noShowChargePercent: number;
    lateCancellationChargePercent: number;
    staffRates: EquipmentRates | null;
  };
  /** The project's rate category, which picks the hourly rate. */
  rateCategory: RateCategory;
  /** The center's time zone, in which the line shows its date and times. */
  timezone: string;
}

/** A charge about to be recorded (its links to organization, project, center and source are added by the caller). */
export interface ChargeLine {
  kind: Exclude<ChargeKind, 'adjustment'>;
  sourceLine: number;
  description: string;
  quantity: string;
  unit: string | null;
  minutes: number | null;
  unitPrice: number | null;
  amount: number;
  taxRate: number;
  occurredAt: Date;
}

const MINUTE = 60_000;

/** Whole minutes of a duration, rounded half up. */
export function wholeMinutes(ms: number): number {
  return Math.floor((Math.max(0, ms) + MINUTE / 2) / MINUTE);
}

/** Yen for `minutes` at `hourlyRate` × `percent` %, rounded half up to whole yen, in integer arithmetic. */
export function timeAmount(minutes: number, hourlyRate: number, percent = 100): number {
  if (!Number.isInteger(minutes) || !Number.isInteger(hourlyRate) || !Number.isInteger(percent)) throw new RangeError('minutes, rate and percent must be integers');
  const numerator = BigInt(minutes) * BigInt(hourlyRate) * BigInt(percent);
  return Number((numerator + 3000n) / 6000n);
}

/** Hours to two decimals (`1.58` for 95 minutes), as the line's quantity; display only, never multiplied. */
export function hoursText(minutes: number): string {
  const hundredths = Math.floor((minutes * 100 + 30) / 60);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** The minutes a completed booking is charged for, under the tool's `chargeFor` rule. */
export function chargedMinutes(facts: Pick<ReservationChargeFacts, 'reservation' | 'usages' | 'equipment'>): { used: number; booked: number; charged: number } {
  const { reservation, usages, equipment } = facts;
  const booked = wholeMinutes(reservation.end.getTime() - reservation.start.getTime());
  const usedMs = usages.reduce((sum, usage) => sum + ((usage.endedAt ?? reservation.end).getTime() - usage.startedAt.getTime()), 0);
  const used = wholeMinutes(usedMs);
  const charged = equipment.chargeFor === 'used' ? used : equipment.chargeFor === 'booked' ? booked : Math.max(used, booked);
  return { used, booked, charged };
}

function slotText(facts: ReservationChargeFacts): string {
  const local = (date: Date) => new TZDate(date.getTime(), facts.timezone);
  const start = local(facts.reservation.start);
  const end = local(facts.reservation.end);
  const sameDay = format(start, 'yyyy-MM-dd') === format(end, 'yyyy-MM-dd');
  return `${facts.equipment.code} ${format(start, 'yyyy-MM-dd HH:mm')}–${format(end, sameDay ? 'HH:mm' : 'yyyy-MM-dd HH:mm')}`;
}

/**
 * The charges a finished reservation leaves, NUcore-style:
 * - completed: the tool's hourly rate for the project's rate category × the minutes its
 *   `chargeFor` rule picks (used, booked or the greater); `assisted` adds the staff operator's
 *   time for the same minutes at `staffRates` (when the tool has them);
 * - no-show: the booked time at `noShowChargePercent` %;
 * - cancelled inside the cancellation window: the booked time at `lateCancellationChargePercent` %;
 * - nothing for maintenance windows, bookings without a project, work for a service request
 *   (the request's price covers it), rejections and timely cancellations, or zero minutes.
 * Every line is dated at the booking's start, which decides its invoice period.
 */
export function reservationCharges(facts: ReservationChargeFacts): ChargeLine[] {
  const { reservation, equipment, rateCategory } = facts;
  if (reservation.kind !== 'booking' || !reservation.projectId || !reservation.organizationId || reservation.serviceRequestId) return [];
  const rate = equipment.rates[rateCategory];
  const slot = slotText(facts);
  const occurredAt = reservation.start;
  const timeLine = (kind: ChargeLine['kind'], sourceLine: number, minutes: number, hourlyRate: number, percent: number): ChargeLine => ({
    kind,
    sourceLine,
    description: percent === 100 ? slot : `${slot} (${percent}%)`,
    quantity: hoursText(minutes),
    unit: 'h',
    minutes,
    unitPrice: hourlyRate,
    amount: timeAmount(minutes, hourlyRate, percent),
    taxRate: STANDARD_TAX_RATE,
    occurredAt,
  });

  switch (reservation.status) {
    case 'completed': {
      const { charged } = chargedMinutes(facts);
      if (charged <= 0) return [];
      const lines = [timeLine('instrument_time', RESERVATION_TIME_LINE, charged, rate, 100)];
      if (reservation.mode === 'assisted' && equipment.staffRates) {
        lines.push(timeLine('staff_time', RESERVATION_STAFF_LINE, charged, equipment.staffRates[rateCategory], 100));
      }
      return lines;
    }
    case 'no_show': {
      const { booked } = chargedMinutes(facts);
      return equipment.noShowChargePercent > 0 && booked > 0 ? [timeLine('no_show', RESERVATION_TIME_LINE, booked, rate, equipment.noShowChargePercent)] : [];
    }
    case 'cancelled': {
      const { booked } = chargedMinutes(facts);
      return reservation.lateCancellation && equipment.lateCancellationChargePercent > 0 && booked > 0
        ? [timeLine('late_cancellation', RESERVATION_TIME_LINE, booked, rate, equipment.lateCancellationChargePercent)]
        : [];
    }
    default:
      return [];
  }
}
