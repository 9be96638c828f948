import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finds a handover's latest job in the outbox by index: the queue recovery looks it up every
 * period for each handover still in flight, and the outbox keeps every row it ever relayed.
 */
export class OutboxHandoverIndex1765300000000 implements MigrationInterface {
  name = 'OutboxHandoverIndex1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_outbox_handover ON outbox ((payload->>'handoverId'), created_at DESC) WHERE job_name = 'handover-deliver'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_outbox_handover`);
  }
}
