import { BookingFacts, bookingWeek, checkBookingPolicy } from './booking-policy';
import { allowedActions } from './reservation-lifecycle';

const now = new Date('2026-12-01T00:00:00Z'); // Tuesday 09:00 in Tokyo
const base: BookingFacts = {
  start: new Date('2026-12-02T01:00:00Z'), // Wednesday 10:00 JST
  end: new Date('2026-12-02T03:00:00Z'),
  now,
  policy: { slotMinutes: 30, minMinutes: 30, maxMinutes: 240, leadMinutes: 60, horizonDays: 30, bufferMinutes: 15, requiresApproval: false, cancellationHours: 24, bookableHours: [{ days: [1, 2, 3, 4, 5], start: '08:30', end: '20:00' }] },
  timezone: 'Asia/Tokyo',
  equipmentStatus: 'available',
  remoteCapable: false,
  requiresQualification: true,
  mode: 'self',
  hasQualification: true,
  organizationWeekHours: 0,
  userFutureReservations: 0,
};
const rules = (changes: Partial<BookingFacts>) => checkBookingPolicy({ ...base, ...changes }).map((v) => v.rule);

describe('booking policy chain', () => {
  it('passes a booking that keeps every rule', () => {
    expect(checkBookingPolicy(base)).toEqual([]);
  });

  it('checks the slot grid in the center’s time zone', () => {
    expect(rules({ start: new Date('2026-12-02T01:15:00Z') })).toContain('slot-granularity');
    // 30-minute grid in Kathmandu (+05:45) is not the UTC grid.
    expect(rules({ timezone: 'Asia/Kathmandu', policy: { ...base.policy, bookableHours: undefined } })).toEqual(['slot-granularity']);
  });

  it('checks durations, lead time and horizon', () => {
    expect(rules({ start: new Date('2026-12-02T00:30:00Z'), end: new Date('2026-12-02T01:00:00Z') })).toEqual([]);
    expect(rules({ end: new Date('2026-12-02T06:00:00Z') })).toEqual(['maximum-duration']);
    expect(rules({ policy: { ...base.policy, minMinutes: 180 } })).toEqual(['minimum-duration']);
    expect(rules({ start: new Date('2026-12-01T00:30:00Z'), end: new Date('2026-12-01T01:30:00Z') })).toEqual(['lead-time']);
    expect(rules({ start: new Date('2027-01-05T01:00:00Z'), end: new Date('2027-01-05T02:00:00Z') })).toEqual(['horizon']);
  });

  it('keeps bookings inside bookable hours and days, without crossing closed hours', () => {
    expect(rules({ start: new Date('2026-12-02T10:00:00Z'), end: new Date('2026-12-02T12:00:00Z') })).toEqual(['bookable-hours']); // 19:00–21:00 JST
    expect(rules({ start: new Date('2026-12-05T01:00:00Z'), end: new Date('2026-12-05T02:00:00Z') })).toEqual(['bookable-hours']); // Saturday
    // Where the policy allows it, a booking started inside the hours may run on through the night.
    const overnight = { start: new Date('2026-12-02T10:00:00Z'), end: new Date('2026-12-02T13:00:00Z'), policy: { ...base.policy, allowCrossingClosedHours: true } };
    expect(rules(overnight)).toEqual([]);
    expect(rules({ ...overnight, start: new Date('2026-12-02T11:30:00Z') })).toEqual(['bookable-hours']); // starts 20:30 JST
    expect(rules({ start: new Date('2026-12-02T09:30:00Z'), end: new Date('2026-12-02T11:00:00Z') })).toEqual([]); // 18:30–20:00 JST: ends at closing time
    expect(rules({ start: new Date('2026-12-01T23:00:00Z'), end: new Date('2026-12-02T00:00:00Z') })).toEqual(['bookable-hours']); // 08:00–09:00 JST: opens 08:30
  });

  it('applies status, remote, qualification and counting rules', () => {
    expect(checkBookingPolicy({ ...base, equipmentStatus: 'down' })).toEqual([expect.objectContaining({ rule: 'equipment-status', overridable: false })]);
    expect(checkBookingPolicy({ ...base, equipmentStatus: 'maintenance' })).toEqual([expect.objectContaining({ rule: 'equipment-status', overridable: true })]);
    expect(rules({ mode: 'remote' })).toEqual(['remote-operation']);
    expect(rules({ hasQualification: false })).toEqual(['qualification']);
    expect(rules({ hasQualification: false, mode: 'assisted' })).toEqual([]);
    expect(rules({ policy: { ...base.policy, maxHoursPerOrganizationPerWeek: 3 }, organizationWeekHours: 1.5 })).toEqual(['organization-weekly-hours']);
    expect(rules({ policy: { ...base.policy, maxFutureReservationsPerUser: 2 }, userFutureReservations: 2 })).toEqual(['user-future-reservations']);
  });

  it('counts the week from Monday 00:00 in the center’s time zone', () => {
    expect(bookingWeek(new Date('2026-12-02T01:00:00Z'), 'Asia/Tokyo')).toEqual({ from: new Date('2026-11-29T15:00:00Z'), to: new Date('2026-12-06T15:00:00Z') });
  });

  it('lists the actions each status allows', () => {
    expect(allowedActions('pending')).toEqual(['approve', 'reject', 'cancel']);
    expect(allowedActions('in_use')).toEqual(['check-out']);
    expect(allowedActions('completed')).toEqual([]);
  });
});
