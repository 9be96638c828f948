import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Qualifications, reservations (bookings and maintenance windows) and usage records.
 * The exclusion constraint is the guarantee against double booking; application checks only
 * produce friendlier answers. Constraint names are mapped in src/common/errors/pg-error.ts.
 */
export class Reservations1764400000000 implements MigrationInterface {
  name = 'Reservations1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE qualifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id),
        -- The user's organization when granted, so tenancy filters qualifications like anything else.
        organization_id uuid REFERENCES organizations (id),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        level varchar(10) NOT NULL CONSTRAINT ck_qualifications_level CHECK (level IN ('user','supervised','trainer')),
        granted_by uuid REFERENCES users (id),
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_qualifications_active ON qualifications (user_id, equipment_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX ix_qualifications_equipment ON qualifications (equipment_id)`);
    await q.query(`CREATE TRIGGER qualifications_touch BEFORE UPDATE ON qualifications FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    await q.query(`
      CREATE TABLE reservations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        kind varchar(12) NOT NULL DEFAULT 'booking' CONSTRAINT ck_reservations_kind CHECK (kind IN ('booking','maintenance')),
        user_id uuid NOT NULL REFERENCES users (id),
        organization_id uuid REFERENCES organizations (id),
        project_id uuid REFERENCES projects (id),
        mode varchar(8) CONSTRAINT ck_reservations_mode CHECK (mode IN ('self','assisted','remote')),
        status varchar(10) NOT NULL CONSTRAINT ck_reservations_status
          CHECK (status IN ('pending','confirmed','in_use','completed','cancelled','rejected','no_show')),
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        -- The booked time plus the equipment's clean-down buffer: what no other booking may overlap.
        period tstzrange NOT NULL,
        purpose varchar(1000),
        planned_samples integer,
        late_cancellation boolean NOT NULL DEFAULT false,
        status_reason varchar(1000),
        overrides jsonb NOT NULL DEFAULT '[]',
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_reservations_times CHECK (end_at > start_at AND lower(period) = start_at AND upper(period) >= end_at),
        CONSTRAINT ck_reservations_booking_fields CHECK (kind = 'maintenance' OR (project_id IS NOT NULL AND organization_id IS NOT NULL AND mode IS NOT NULL)),
        CONSTRAINT ex_reservations_no_overlap EXCLUDE USING gist (equipment_id WITH =, period WITH &&)
          WHERE (status IN ('pending','confirmed','in_use'))
      )`);
    await q.query(`CREATE INDEX ix_reservations_user ON reservations (user_id, start_at)`);
    await q.query(`CREATE INDEX ix_reservations_organization ON reservations (organization_id, start_at)`);
    await q.query(`CREATE INDEX ix_reservations_equipment_period ON reservations USING gist (equipment_id, period)`);
    await q.query(`CREATE TRIGGER reservations_touch BEFORE UPDATE ON reservations FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    // Used time, separate from booked time: check-in opens a usage, check-out closes it.
    await q.query(`
      CREATE TABLE reservation_usages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reservation_id uuid NOT NULL REFERENCES reservations (id),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        checked_in_by uuid REFERENCES users (id),
        checked_out_by uuid REFERENCES users (id),
        CONSTRAINT ck_reservation_usages_times CHECK (ended_at IS NULL OR ended_at >= started_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_reservation_usages_open ON reservation_usages (equipment_id) WHERE ended_at IS NULL`);
    await q.query(`CREATE INDEX ix_reservation_usages_reservation ON reservation_usages (reservation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS reservation_usages`);
    await q.query(`DROP TABLE IF EXISTS reservations`);
    await q.query(`DROP TABLE IF EXISTS qualifications`);
  }
}
