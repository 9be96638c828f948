import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Datasets: measurement and process data with provenance, access class, embargo, licence and
 * export-control classification. Files are immutable; a correction is a new version.
 * Constraint names are referenced by src/common/errors/pg-error.ts: rename both together.
 */
export class Datasets1765000000000 implements MigrationInterface {
  name = 'Datasets1765000000000';

  async up(q: QueryRunner): Promise<void> {
    // The embargo rule of a center: so many years from the start of the fiscal year after the measurement.
    await q.query(`ALTER TABLE centers
      ADD COLUMN embargo_years smallint NOT NULL DEFAULT 2 CONSTRAINT ck_centers_embargo_years CHECK (embargo_years BETWEEN 0 AND 10),
      ADD COLUMN fiscal_year_start_month smallint NOT NULL DEFAULT 4 CONSTRAINT ck_centers_fiscal_year_start_month CHECK (fiscal_year_start_month BETWEEN 1 AND 12)`);

    await q.query(`
      CREATE TABLE datasets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Every version of one dataset shares the series id (the first version's id).
        series_id uuid NOT NULL,
        version integer NOT NULL DEFAULT 1 CONSTRAINT ck_datasets_version CHECK (version > 0),
        previous_id uuid REFERENCES datasets (id),
        correction_reason text,
        center_id uuid NOT NULL REFERENCES centers (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        project_id uuid REFERENCES projects (id),
        title varchar(300) NOT NULL,
        description text,
        technique varchar(100) NOT NULL,
        equipment_id uuid REFERENCES equipment (id),
        reservation_id uuid REFERENCES reservations (id),
        service_request_id uuid,
        operator_id uuid REFERENCES users (id),
        measured_at timestamptz NOT NULL,
        parameters jsonb NOT NULL DEFAULT '{}',
        access_class varchar(8) NOT NULL CONSTRAINT ck_datasets_access_class CHECK (access_class IN ('open','shared','closed')),
        embargo_until date,
        embargo_extended_at timestamptz,
        embargo_extension_reason text,
        license varchar(500),
        export_control varchar(20) NOT NULL DEFAULT 'undetermined'
          CONSTRAINT ck_datasets_export_control CHECK (export_control IN ('not-applicable','listed','catch-all-review','undetermined')),
        export_control_by uuid REFERENCES users (id),
        export_control_at timestamptz,
        export_control_reason text,
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_datasets_series_version UNIQUE (series_id, version),
        CONSTRAINT ck_datasets_previous CHECK ((version = 1) = (previous_id IS NULL))
      )`);
    await q.query(`CREATE INDEX ix_datasets_organization ON datasets (organization_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_datasets_equipment ON datasets (equipment_id) WHERE equipment_id IS NOT NULL`);
    await q.query(`CREATE TRIGGER datasets_touch BEFORE UPDATE ON datasets FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    await q.query(`
      CREATE TABLE dataset_samples (
        dataset_id uuid NOT NULL REFERENCES datasets (id),
        sample_id uuid NOT NULL REFERENCES samples (id),
        PRIMARY KEY (dataset_id, sample_id)
      )`);
    await q.query(`CREATE INDEX ix_dataset_samples_sample ON dataset_samples (sample_id)`);

    await q.query(`
      CREATE TABLE dataset_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dataset_id uuid NOT NULL REFERENCES datasets (id),
        name varchar(255) NOT NULL,
        size bigint NOT NULL CONSTRAINT ck_dataset_files_size CHECK (size >= 0),
        sha256 char(64) NOT NULL CONSTRAINT ck_dataset_files_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        media_type varchar(200) NOT NULL,
        -- Where the bytes are in the storage driver; a later version may point at the same object.
        storage_key varchar(500) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_dataset_files_name UNIQUE (dataset_id, name)
      )`);
    // Files are immutable: the database refuses to change or remove a recorded file.
    await q.query(`CREATE TRIGGER dataset_files_immutable BEFORE UPDATE OR DELETE ON dataset_files FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS dataset_files`);
    await q.query(`DROP TABLE IF EXISTS dataset_samples`);
    await q.query(`DROP TABLE IF EXISTS datasets`);
    await q.query(`ALTER TABLE centers DROP COLUMN IF EXISTS embargo_years, DROP COLUMN IF EXISTS fiscal_year_start_month`);
  }
}
