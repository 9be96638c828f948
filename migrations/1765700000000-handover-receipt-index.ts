import { MigrationInterface, QueryRunner } from 'typeorm';

/** Status callbacks find their handover by the platform's receipt id: look it up by index, not by scanning every handover. */
export class HandoverReceiptIndex1765700000000 implements MigrationInterface {
  name = 'HandoverReceiptIndex1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_handovers_remote_receipt ON handovers (remote_receipt_id) WHERE remote_receipt_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_handovers_remote_receipt`);
  }
}
