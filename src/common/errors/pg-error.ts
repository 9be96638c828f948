import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error';

/** What a named constraint means to a client. Keep in step with the migrations. */
const CONSTRAINTS: Record<string, { field: string; message: string }> = {
  uq_centers_code: { field: 'code', message: 'a center with this code already exists' },
  uq_organizations_name: { field: 'name', message: 'an organization with this name already exists' },
  uq_users_email: { field: 'email', message: 'a user with this e-mail already exists' },
  uq_projects_organization_code: { field: 'code', message: 'this organization already has a project with this code' },
  uq_equipment_center_code: { field: 'code', message: 'this center already has equipment with this code' },
  uq_qualifications_active: { field: 'equipmentId', message: 'this user already holds an active qualification on this equipment' },
  uq_reservation_usages_open: { field: 'status', message: 'the equipment is still in use by another session; check that one out first' },
  ck_users_member_organization: { field: 'organizationId', message: 'a member must belong to an organization' },
  ck_api_keys_member_organization: { field: 'organizationId', message: 'a member key must belong to an organization' },
};

interface PgDriverError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

/** Maps a PostgreSQL error raised by a constraint to a domain error; returns null for anything else. */
export function fromPgError(error: unknown): AppError | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driver = (error as QueryFailedError & { driverError: PgDriverError }).driverError ?? {};
  const known = driver.constraint ? CONSTRAINTS[driver.constraint] : undefined;
  switch (driver.code) {
    case '23505': // unique_violation
      return AppError.conflict(known?.message ?? 'this value is already taken', known?.field ?? driver.constraint);
    case '23503': // foreign_key_violation
      return new AppError('validation', 'a referenced object does not exist', [
        { field: known?.field ?? driver.constraint ?? 'reference', message: 'does not exist' },
      ]);
    case '23514': // check_violation
    case '23502': // not_null_violation
      return new AppError('validation', known?.message ?? 'a value is not allowed', [
        { field: known?.field ?? driver.column ?? driver.constraint ?? 'body', message: known?.message ?? 'is not allowed' },
      ]);
    case '22P02': // invalid_text_representation (e.g. a malformed uuid that slipped through)
      return new AppError('validation', 'a value has the wrong format', [{ field: 'id', message: 'has the wrong format' }]);
    default:
      return null;
  }
}
