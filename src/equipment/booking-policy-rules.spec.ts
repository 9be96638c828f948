import { policyProblems } from './booking-policy-rules';
import { BookingPolicy } from './equipment.entity';

const policy: BookingPolicy = { slotMinutes: 30, minMinutes: 30, maxMinutes: 240, leadMinutes: 0, horizonDays: 30, bufferMinutes: 0, requiresApproval: false, cancellationHours: 24 };

describe('policyProblems', () => {
  it('accepts a consistent policy', () => {
    expect(policyProblems({ ...policy, bookableHours: [{ days: [1, 2, 3], start: '08:30', end: '24:00' }] })).toEqual([]);
  });

  it('names each inconsistent field', () => {
    expect(policyProblems({ ...policy, minMinutes: 300, maxMinutes: 240 }).map((p) => p.field)).toEqual(['policy.minMinutes']);
    expect(policyProblems({ ...policy, minMinutes: 45, maxMinutes: 100 }).map((p) => p.field)).toEqual(['policy.minMinutes', 'policy.maxMinutes']);
    expect(policyProblems({ ...policy, bookableHours: [{ days: [1], start: '18:00', end: '09:00' }] })).toEqual([{ field: 'policy.bookableHours[0].end', message: 'must be later than start' }]);
  });
});
