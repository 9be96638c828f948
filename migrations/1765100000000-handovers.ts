import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Handover of dataset versions to the DX platform: targets (HTTP or a drop folder), one
 * handover per version and target, and the platform's status callbacks (kept by event id so a
 * replayed callback changes nothing).
 * Constraint names are referenced by src/common/errors/pg-error.ts: rename both together.
 */
export class Handovers1765100000000 implements MigrationInterface {
  name = 'Handovers1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE handover_targets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL CONSTRAINT uq_handover_targets_name UNIQUE,
        kind varchar(8) NOT NULL CONSTRAINT ck_handover_targets_kind CHECK (kind IN ('http','folder')),
        url varchar(500),
        -- Signs requests to the target and verifies its callbacks (HMAC-SHA256): it must be readable.
        secret varchar(200),
        folder varchar(500),
        -- A target outside Japan takes only data classified not-applicable for export control.
        abroad boolean NOT NULL DEFAULT false,
        -- A public repository: never receives closed files.
        open_repository boolean NOT NULL DEFAULT false,
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_handover_targets_http CHECK (kind <> 'http' OR (url IS NOT NULL AND secret IS NOT NULL)),
        CONSTRAINT ck_handover_targets_folder CHECK (kind <> 'folder' OR folder IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_handover_targets_default ON handover_targets (is_default) WHERE is_default`);
    await q.query(`CREATE TRIGGER handover_targets_touch BEFORE UPDATE ON handover_targets FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    await q.query(`
      CREATE TABLE handovers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dataset_id uuid NOT NULL REFERENCES datasets (id),
        target_id uuid NOT NULL REFERENCES handover_targets (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        state varchar(10) NOT NULL CONSTRAINT ck_handovers_state
          CHECK (state IN ('queued','packaging','sending','delivered','registered','published','held','failed','rejected')),
        hold_reason text,
        package_sha256 char(64),
        package_size bigint,
        attempts integer NOT NULL DEFAULT 0,
        remote_receipt_id varchar(200),
        remote_id varchar(200),
        last_error text,
        delivered_at timestamptz,
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    // One live handover per dataset version and target: a second request is a 409, never a second delivery.
    await q.query(`CREATE UNIQUE INDEX uq_handovers_live ON handovers (dataset_id, target_id) WHERE state NOT IN ('failed','rejected')`);
    await q.query(`CREATE INDEX ix_handovers_organization ON handovers (organization_id, created_at DESC)`);
    await q.query(`CREATE TRIGGER handovers_touch BEFORE UPDATE ON handovers FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    await q.query(`
      CREATE TABLE handover_callbacks (
        event_id varchar(200) PRIMARY KEY,
        handover_id uuid NOT NULL REFERENCES handovers (id),
        status varchar(10) NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS handover_callbacks`);
    await q.query(`DROP TABLE IF EXISTS handovers`);
    await q.query(`DROP TABLE IF EXISTS handover_targets`);
  }
}
