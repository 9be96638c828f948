import { MigrationInterface, QueryRunner } from 'typeorm';

/** Problems reported on a tool: who reported what, whether it forced a shutdown, how it was resolved. */
export class EquipmentProblems1764700000000 implements MigrationInterface {
  name = 'EquipmentProblems1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE equipment_problems (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        reported_by uuid REFERENCES users (id),
        organization_id uuid REFERENCES organizations (id),
        description varchar(4000) NOT NULL,
        urgency varchar(8) NOT NULL CONSTRAINT ck_equipment_problems_urgency CHECK (urgency IN ('low','normal','high')),
        safety_hazard boolean NOT NULL DEFAULT false,
        status varchar(10) NOT NULL DEFAULT 'open' CONSTRAINT ck_equipment_problems_status CHECK (status IN ('open','resolved')),
        forces_shutdown boolean NOT NULL DEFAULT false,
        resolution varchar(4000),
        resolved_by uuid REFERENCES users (id),
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`CREATE INDEX ix_equipment_problems_equipment ON equipment_problems (equipment_id, created_at)`);
    await q.query(`CREATE TRIGGER equipment_problems_touch BEFORE UPDATE ON equipment_problems FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS equipment_problems`);
  }
}
