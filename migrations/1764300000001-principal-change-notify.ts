import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API processes cache who a token or API key belongs to. Any change that could narrow a
 * caller's access (role, organization, centers, disabling, revoking) notifies every process on
 * the `principal_changed` channel, so each drops its cached entry within milliseconds.
 */
export class PrincipalChangeNotify1764300000001 implements MigrationInterface {
  name = 'PrincipalChangeNotify1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_principal_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed_id uuid;
      BEGIN
        IF TG_TABLE_NAME = 'user_centers' THEN
          changed_id := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
        ELSE
          changed_id := OLD.id;
        END IF;
        PERFORM pg_notify('principal_changed', changed_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER users_principal_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_principal_change()`);
    await q.query(`CREATE TRIGGER api_keys_principal_changed AFTER UPDATE OR DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION notify_principal_change()`);
    await q.query(`CREATE TRIGGER user_centers_principal_changed AFTER INSERT OR DELETE ON user_centers FOR EACH ROW EXECUTE FUNCTION notify_principal_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS user_centers_principal_changed ON user_centers`);
    await q.query(`DROP TRIGGER IF EXISTS api_keys_principal_changed ON api_keys`);
    await q.query(`DROP TRIGGER IF EXISTS users_principal_changed ON users`);
    await q.query(`DROP FUNCTION IF EXISTS notify_principal_change()`);
  }
}
