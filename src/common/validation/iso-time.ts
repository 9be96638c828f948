import { isISO8601, ValidateBy, ValidationOptions } from 'class-validator';

/** Date, time and an explicit offset: a time without one is ambiguous across the centers' zones. */
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export function isIsoTimeWithOffset(value: unknown): value is string {
  // Strict ISO 8601 also refuses impossible dates (2026-02-30), which Date would roll over.
  return typeof value === 'string' && WITH_OFFSET.test(value) && isISO8601(value, { strict: true, strictSeparator: true });
}

/** An ISO 8601 time with an offset, e.g. 2026-12-01T09:00:00+09:00, that names a real instant. */
export function IsIsoTimeWithOffset(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoTimeWithOffset',
      validator: {
        validate: (value) => isIsoTimeWithOffset(value),
        defaultMessage: () => 'must be an ISO 8601 time with an offset, e.g. 2026-12-01T09:00:00+09:00',
      },
    },
    options,
  );
}
