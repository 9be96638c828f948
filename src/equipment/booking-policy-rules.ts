import type { FieldError } from '../common/errors/app-error';
import type { BookingPolicy } from './equipment.entity';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Checks that go across fields of a policy; single-field limits are on the DTO. */
export function policyProblems(policy: BookingPolicy): FieldError[] {
  const problems: FieldError[] = [];
  if (policy.minMinutes > policy.maxMinutes) {
    problems.push({ field: 'policy.minMinutes', message: 'must not exceed policy.maxMinutes' });
  }
  if (policy.minMinutes % policy.slotMinutes !== 0) {
    problems.push({ field: 'policy.minMinutes', message: 'must be a multiple of policy.slotMinutes' });
  }
  if (policy.maxMinutes % policy.slotMinutes !== 0) {
    problems.push({ field: 'policy.maxMinutes', message: 'must be a multiple of policy.slotMinutes' });
  }
  policy.bookableHours?.forEach((window, i) => {
    if (minutesOf(window.start) >= minutesOf(window.end)) {
      problems.push({ field: `policy.bookableHours[${i}].end`, message: 'must be later than start' });
    }
  });
  return problems;
}
