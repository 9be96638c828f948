import { ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

const ZONES = new Set(Intl.supportedValuesOf('timeZone'));
ZONES.add('UTC');

export function isIanaTimezone(value: unknown): boolean {
  return typeof value === 'string' && ZONES.has(value);
}

@ValidatorConstraint({ name: 'ianaTimezone' })
export class IanaTimezone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isIanaTimezone(value);
  }

  defaultMessage(): string {
    return 'must be an IANA time zone such as Asia/Tokyo';
  }
}
