import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calendar feeds: secret, revocable iCalendar subscriptions per user or per equipment. Only the
 * SHA-256 of a feed's token is kept; the token itself is shown once, when the feed is created.
 */
export class CalendarFeeds1764500000000 implements MigrationInterface {
  name = 'CalendarFeeds1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_feeds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL CONSTRAINT uq_calendar_feeds_token_hash UNIQUE,
        scope varchar(10) NOT NULL CONSTRAINT ck_calendar_feeds_scope CHECK (scope IN ('user','equipment')),
        -- The owner who created the feed; what the feed shows is decided by the owner's role.
        user_id uuid NOT NULL REFERENCES users (id),
        -- The owner's organization, so tenancy filters feeds like anything else.
        organization_id uuid REFERENCES organizations (id),
        equipment_id uuid REFERENCES equipment (id),
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_calendar_feeds_equipment CHECK (scope = 'user' OR equipment_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX ix_calendar_feeds_user ON calendar_feeds (user_id, created_at)`);
    await q.query(`CREATE TRIGGER calendar_feeds_touch BEFORE UPDATE ON calendar_feeds FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS calendar_feeds`);
  }
}
