import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldError } from '../errors/app-error';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? (/^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator starts messages with the property name; the field is already named.
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The global pipe: unknown fields are refused, types converted, and every bad field named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      const detail = fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return new AppError('validation', detail || 'the request is not valid', fieldErrors);
    },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Route ids are UUIDs; anything else is a 400 naming the parameter, never a database error. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUuid(value)) throw AppError.badInput(metadata.data ?? 'id', 'must be a UUID');
    return value.toLowerCase();
  }
}

/**
 * Validates a plain object against a DTO class with the global pipe's rules, for bodies that
 * arrive nested (a scan's `payload`). Field names in the 400 carry `prefix` and, through
 * `rename`, the name the client actually sent (`locationId` → `locationLabel`).
 */
export async function validateAs<T extends object>(dto: new () => T, plain: Record<string, unknown>, prefix: string, rename: Record<string, string> = {}): Promise<T> {
  try {
    return (await createValidationPipe().transform(plain, { type: 'body', metatype: dto })) as T;
  } catch (error) {
    if (!(error instanceof AppError) || !error.errors) throw error;
    const fields = error.errors.map((e) => ({ field: rename[e.field] ?? `${prefix}${e.field}`, message: e.message }));
    throw new AppError('validation', fields.map((e) => `${e.field}: ${e.message}`).join('; '), fields);
  }
}
