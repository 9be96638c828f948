import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-tool settings for the DX platform: its RDE instrument id, and whether packages carry a MaiML document. */
export class EquipmentDxSettings1765200000000 implements MigrationInterface {
  name = 'EquipmentDxSettings1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE equipment ADD COLUMN rde_instrument_id varchar(100), ADD COLUMN maiml_output boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE equipment DROP COLUMN IF EXISTS rde_instrument_id, DROP COLUMN IF EXISTS maiml_output`);
  }
}
