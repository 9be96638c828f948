import { isISO8601, ValidateBy, ValidationOptions } from 'class-validator';

/** A calendar day, `YYYY-MM-DD`, with no time and no zone. */
export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` naming a real day (strict ISO 8601 refuses 2026-02-30, which Date would roll over). */
export function isDateOnly(value: unknown): value is string {
  return typeof value === 'string' && DATE_ONLY.test(value) && isISO8601(value, { strict: true });
}

/** A day, `YYYY-MM-DD`, that exists. */
export function IsDateOnly(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateOnly',
      validator: {
        validate: (value) => isDateOnly(value),
        defaultMessage: () => 'must be a date (YYYY-MM-DD)',
      },
    },
    options,
  );
}
