import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the full-text index on samples: sample search is a substring match (ILIKE), which a
 * tsvector index cannot serve, so it only cost every insert and update of a sample.
 */
export class DropSampleSearchIndex1765600000000 implements MigrationInterface {
  name = 'DropSampleSearchIndex1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_samples_search`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_samples_search ON samples USING gin (to_tsvector('simple', code || ' ' || name || ' ' || coalesce(material, '') || ' ' || coalesce(client_ref, '')))`);
  }
}
