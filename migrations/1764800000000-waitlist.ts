import { MigrationInterface, QueryRunner } from 'typeorm';

/** Waitlist for busy tools: first come, first offered, each offer for a limited time. */
export class Waitlist1764800000000 implements MigrationInterface {
  name = 'Waitlist1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE waitlist_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        user_id uuid NOT NULL REFERENCES users (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        project_id uuid NOT NULL REFERENCES projects (id),
        mode varchar(8) NOT NULL DEFAULT 'self' CONSTRAINT ck_waitlist_entries_mode CHECK (mode IN ('self','assisted','remote')),
        desired_start timestamptz NOT NULL,
        desired_end timestamptz NOT NULL,
        minutes integer NOT NULL CONSTRAINT ck_waitlist_entries_minutes CHECK (minutes > 0),
        status varchar(10) NOT NULL DEFAULT 'waiting'
          CONSTRAINT ck_waitlist_entries_status CHECK (status IN ('waiting','offered','booked','expired','withdrawn')),
        offered_start timestamptz,
        offered_end timestamptz,
        offer_expires_at timestamptz,
        reservation_id uuid REFERENCES reservations (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_waitlist_entries_window CHECK (desired_end > desired_start)
      )`);
    await q.query(`CREATE INDEX ix_waitlist_entries_queue ON waitlist_entries (equipment_id, status, created_at)`);
    await q.query(`CREATE TRIGGER waitlist_entries_touch BEFORE UPDATE ON waitlist_entries FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS waitlist_entries`);
  }
}
