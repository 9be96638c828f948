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
  uq_locations_sibling_name: { field: 'name', message: 'a location with this name already exists at this place' },
  uq_labels_active_sample: { field: 'labelId', message: 'the sample already carries an active label; void that one first' },
  uq_labels_active_location: { field: 'labelId', message: 'the location already carries an active label; void that one first' },
  uq_samples_code: { field: 'code', message: 'a sample with this code already exists' },
  ck_sample_code_counters_range: { field: 'centerId', message: "the center has used up this year's sample codes" },
  uq_services_center_code: { field: 'code', message: 'this center already offers a service with this code' },
  ck_reservations_service_request: { field: 'serviceRequestId', message: 'the service request is not open for work on this project' },
  fk_reservations_service_request: { field: 'serviceRequestId', message: 'no such service request' },
  ck_datasets_service_request: { field: 'metadata.serviceRequestId', message: 'no such service request' },
  fk_datasets_service_request: { field: 'metadata.serviceRequestId', message: 'no such service request' },
  uq_datasets_series_version: { field: 'version', message: 'another correction of this dataset was just recorded; reload and retry' },
  uq_dataset_files_name: { field: 'files', message: 'two files of this version have the same name' },
  service_reports_frozen: { field: 'report', message: 'an approved report is never edited; amend it instead' },
  ck_api_keys_member_organization: { field: 'organizationId', message: 'a member key must belong to an organization' },
  ex_invoices_period: { field: 'periodStart', message: 'an invoice of this organization and center already covers part of this period' },
  uq_invoices_credit_for: { field: 'id', message: 'this invoice already has a credit note' },
  uq_charges_source: { field: 'id', message: 'this charge is already recorded' },
  charges_invoiced_once: { field: 'invoiceId', message: 'a charge is invoiced at most once, and only while its invoice is a draft' },
  charges_append_only: { field: 'id', message: 'charges are never changed or deleted; correct one with an adjustment' },
  invoices_immutable: { field: 'status', message: 'an issued invoice is never edited; correct it with a credit note' },
  uq_handovers_live: { field: 'datasetId', message: 'this dataset version is already handed over (or held) for this target' },
  uq_handover_targets_name: { field: 'name', message: 'a handover target with this name already exists' },
};

interface PgDriverError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

/** A column as the API names it: `charge_for` → `chargeFor`. */
const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Maps a PostgreSQL error raised by a constraint to a domain error; returns null for anything else. */
export function fromPgError(error: unknown): AppError | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driver = (error as QueryFailedError & { driverError: PgDriverError }).driverError ?? {};
  const known = driver.constraint ? CONSTRAINTS[driver.constraint] : undefined;
  switch (driver.code) {
    case '23505': // unique_violation
      return AppError.conflict(known?.message ?? 'this value is already taken', known?.field ?? driver.constraint);
    case '23P01': // exclusion_violation
      return AppError.conflict(known?.message ?? 'this overlaps an existing record', known?.field ?? driver.constraint);
    case 'P0001': // raised by a guard trigger naming its rule as the constraint
      return known ? AppError.conflict(known.message, known.field) : null;
    case '23503': // foreign_key_violation
      return new AppError('validation', 'a referenced object does not exist', [
        { field: known?.field ?? driver.constraint ?? 'reference', message: 'does not exist' },
      ]);
    case '23514': // check_violation
    case '23502': // not_null_violation
      return new AppError('validation', known?.message ?? 'a value is not allowed', [
        { field: known?.field ?? (driver.column ? camelCase(driver.column) : (driver.constraint ?? 'body')), message: known?.message ?? 'is not allowed' },
      ]);
    case '22P02': // invalid_text_representation (e.g. a malformed uuid that slipped through)
      return new AppError('validation', 'a value has the wrong format', [{ field: 'id', message: 'has the wrong format' }]);
    default:
      return null;
  }
}
