import { MigrationInterface, QueryRunner } from 'typeorm';

/** Runs (multi-step foundry flows booked atomically) and recurring series of bookings. */
export class RunsAndSeries1764600000000 implements MigrationInterface {
  name = 'RunsAndSeries1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        project_id uuid NOT NULL REFERENCES projects (id),
        user_id uuid NOT NULL REFERENCES users (id),
        purpose varchar(1000),
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`
      CREATE TABLE reservation_series (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        rrule varchar(500) NOT NULL,
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`ALTER TABLE reservations ADD COLUMN run_id uuid REFERENCES runs (id), ADD COLUMN run_step integer, ADD COLUMN series_id uuid REFERENCES reservation_series (id)`);
    await q.query(`CREATE INDEX ix_reservations_run ON reservations (run_id) WHERE run_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_reservations_series ON reservations (series_id, start_at) WHERE series_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reservations DROP COLUMN IF EXISTS series_id, DROP COLUMN IF EXISTS run_step, DROP COLUMN IF EXISTS run_id`);
    await q.query(`DROP TABLE IF EXISTS reservation_series`);
    await q.query(`DROP TABLE IF EXISTS runs`);
  }
}
