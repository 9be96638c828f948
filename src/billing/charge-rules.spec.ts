import { chargedMinutes, hoursText, ReservationChargeFacts, reservationCharges, timeAmount, wholeMinutes } from './charge-rules';

const START = new Date('2026-03-04T01:00:00Z'); // 10:00 in Tokyo
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);

function facts(overrides: Partial<ReservationChargeFacts['reservation']> = {}, equipment: Partial<ReservationChargeFacts['equipment']> = {}, usages = [{ startedAt: at(5), endedAt: at(100) }]): ReservationChargeFacts {
  return {
    reservation: { id: 'r', kind: 'booking', status: 'completed', mode: 'self', start: START, end: at(120), lateCancellation: false, serviceRequestId: null, organizationId: 'o', projectId: 'p', ...overrides },
    usages,
    equipment: { id: 'e', centerId: 'c', code: 'XRD-01', rates: { academic: 3000, industry: 12000, venture: 6000 }, chargeFor: 'greater', noShowChargePercent: 100, lateCancellationChargePercent: 50, staffRates: null, ...equipment },
    rateCategory: 'industry',
    timezone: 'Asia/Tokyo',
  };
}

describe('reservation charges', () => {
  it('charges used time, booked time or the greater, as the tool says', () => {
    expect(chargedMinutes(facts())).toEqual({ used: 95, booked: 120, charged: 120 });
    const [used] = reservationCharges(facts({}, { chargeFor: 'used' }));
    expect(used).toMatchObject({ kind: 'instrument_time', minutes: 95, quantity: '1.58', unit: 'h', unitPrice: 12000, amount: 19000, taxRate: 10 });
    expect(reservationCharges(facts({}, { chargeFor: 'booked' }))[0]).toMatchObject({ minutes: 120, amount: 24000 });
    const overrun = facts({}, { chargeFor: 'greater' }, [{ startedAt: at(0), endedAt: at(150) }]);
    expect(reservationCharges(overrun)[0]).toMatchObject({ minutes: 150, amount: 30000 });
  });

  it('names the tool and the booked slot in the center’s time zone and dates the line at the start', () => {
    const [line] = reservationCharges(facts());
    expect(line.description).toBe('XRD-01 2026-03-04 10:00–12:00');
    expect(line.occurredAt).toEqual(START);
  });

  it('adds staff time for assisted bookings when the tool has staff rates', () => {
    const lines = reservationCharges(facts({ mode: 'assisted' }, { staffRates: { academic: 2000, industry: 7000, venture: 4000 } }));
    expect(lines.map((l) => [l.kind, l.sourceLine, l.amount])).toEqual([
      ['instrument_time', 1, 24000],
      ['staff_time', 2, 14000],
    ]);
    expect(reservationCharges(facts({ mode: 'assisted' }))).toHaveLength(1);
  });

  it('charges no-shows and late cancellations at the policy’s percentage of the booked time', () => {
    expect(reservationCharges(facts({ status: 'no_show' }, {}, []))).toMatchObject([{ kind: 'no_show', minutes: 120, amount: 24000, description: 'XRD-01 2026-03-04 10:00–12:00' }]);
    expect(reservationCharges(facts({ status: 'cancelled', lateCancellation: true }, {}, []))).toMatchObject([{ kind: 'late_cancellation', amount: 12000, description: 'XRD-01 2026-03-04 10:00–12:00 (50%)' }]);
    expect(reservationCharges(facts({ status: 'cancelled', lateCancellation: false }, {}, []))).toEqual([]);
    expect(reservationCharges(facts({ status: 'no_show' }, { noShowChargePercent: 0 }, []))).toEqual([]);
  });

  it('never charges maintenance, service-request work, rejected bookings or unused time', () => {
    expect(reservationCharges(facts({ kind: 'maintenance', projectId: null, organizationId: null }))).toEqual([]);
    expect(reservationCharges(facts({ serviceRequestId: 'sr' }))).toEqual([]);
    expect(reservationCharges(facts({ status: 'rejected' }))).toEqual([]);
    expect(reservationCharges(facts({}, { chargeFor: 'used' }, []))).toEqual([]);
  });

  it('rounds to whole yen half up in integer arithmetic', () => {
    expect(timeAmount(1, 1005)).toBe(17); // 16.75
    expect(timeAmount(2, 15)).toBe(1); // 0.5 → 1
    expect(timeAmount(1, 29)).toBe(0); // 0.48
    expect(timeAmount(45, 1005, 50)).toBe(377); // 376.875
    expect(wholeMinutes(89_999)).toBe(1);
    expect(wholeMinutes(90_000)).toBe(2);
    expect(hoursText(95)).toBe('1.58');
    expect(hoursText(60)).toBe('1.00');
  });
});
