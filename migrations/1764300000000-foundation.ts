import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Directory, equipment catalogue, API keys, audit log and outbox.
 * Constraint names are referenced by src/common/errors/pg-error.ts: rename both together.
 */
export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);

    await q.query(`
      CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.updated_at := date_trunc('milliseconds', now()); RETURN NEW; END $$`);

    await q.query(`
      CREATE TABLE centers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(8) NOT NULL CONSTRAINT uq_centers_code UNIQUE CONSTRAINT ck_centers_code CHECK (code ~ '^[A-Z]{2,8}$'),
        name_ja varchar(200) NOT NULL,
        name_en varchar(200) NOT NULL,
        timezone varchar(64) NOT NULL,
        address varchar(500),
        contact_email varchar(254),
        invoice_registration_number varchar(14) CONSTRAINT ck_centers_invoice_registration_number CHECK (invoice_registration_number ~ '^T[0-9]{13}$'),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);

    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        name_ja varchar(200),
        kind varchar(16) NOT NULL CONSTRAINT ck_organizations_kind CHECK (kind IN ('company','venture','academic','public','center')),
        billing_address varchar(500),
        language varchar(2) NOT NULL DEFAULT 'ja' CONSTRAINT ck_organizations_language CHECK (language IN ('ja','en')),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_organizations_name ON organizations (lower(name))`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        password_hash varchar(200) NOT NULL,
        display_name varchar(200) NOT NULL,
        role varchar(8) NOT NULL CONSTRAINT ck_users_role CHECK (role IN ('admin','staff','member')),
        organization_id uuid REFERENCES organizations (id),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_users_member_organization CHECK (role <> 'member' OR organization_id IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_email ON users (lower(email))`);
    await q.query(`CREATE INDEX ix_users_organization ON users (organization_id)`);

    await q.query(`
      CREATE TABLE user_centers (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        center_id uuid NOT NULL REFERENCES centers (id),
        PRIMARY KEY (user_id, center_id)
      )`);

    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        code varchar(40) NOT NULL,
        name varchar(200) NOT NULL,
        rate_category varchar(8) NOT NULL CONSTRAINT ck_projects_rate_category CHECK (rate_category IN ('academic','industry','venture')),
        po_number varchar(64),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_projects_organization_code UNIQUE (organization_id, code)
      )`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        key_hash char(64) NOT NULL CONSTRAINT uq_api_keys_key_hash UNIQUE,
        role varchar(8) NOT NULL CONSTRAINT ck_api_keys_role CHECK (role IN ('admin','staff','member')),
        organization_id uuid REFERENCES organizations (id),
        center_ids uuid[] NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES users (id),
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_api_keys_member_organization CHECK (role <> 'member' OR organization_id IS NOT NULL)
      )`);

    await q.query(`
      CREATE TABLE equipment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        center_id uuid NOT NULL REFERENCES centers (id),
        code varchar(40) NOT NULL,
        name_ja varchar(200) NOT NULL,
        name_en varchar(200) NOT NULL,
        kind varchar(8) NOT NULL CONSTRAINT ck_equipment_kind CHECK (kind IN ('process','analysis','line')),
        category varchar(100) NOT NULL,
        location varchar(200),
        status varchar(12) NOT NULL DEFAULT 'available' CONSTRAINT ck_equipment_status CHECK (status IN ('available','maintenance','down','retired')),
        requires_qualification boolean NOT NULL DEFAULT true,
        remote_capable boolean NOT NULL DEFAULT false,
        rates jsonb NOT NULL,
        policy jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_equipment_center_code UNIQUE (center_id, code)
      )`);
    await q.query(`CREATE INDEX ix_equipment_code_id ON equipment (code, id)`);

    await q.query(`
      CREATE TABLE equipment_status_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        equipment_id uuid NOT NULL REFERENCES equipment (id),
        from_status varchar(12),
        to_status varchar(12) NOT NULL,
        reason varchar(1000) NOT NULL,
        changed_by uuid,
        changed_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`CREATE INDEX ix_equipment_status_changes_equipment ON equipment_status_changes (equipment_id, changed_at)`);

    for (const table of ['centers', 'organizations', 'users', 'projects', 'api_keys', 'equipment']) {
      await q.query(`CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
    }

    // Append-only records: the database itself refuses to rewrite history.
    await q.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entity varchar(40) NOT NULL,
        entity_id varchar(64) NOT NULL,
        seq integer NOT NULL,
        action varchar(40) NOT NULL,
        actor_id uuid,
        actor_kind varchar(8) NOT NULL CONSTRAINT ck_audit_log_actor_kind CHECK (actor_kind IN ('user','api_key','system')),
        actor_role varchar(8),
        request_id varchar(100),
        before jsonb,
        after jsonb,
        at timestamptz NOT NULL,
        prev_hash char(64),
        hash char(64) NOT NULL,
        CONSTRAINT uq_audit_log_chain UNIQUE (entity, entity_id, seq)
      )`);
    await q.query(`CREATE INDEX ix_audit_log_at ON audit_log (at)`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    await q.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        queue varchar(64) NOT NULL,
        job_name varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        request_id varchar(100),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        dispatched_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX ix_outbox_pending ON outbox (created_at) WHERE dispatched_at IS NULL`);

    // Facts about the installation itself, e.g. that the demo data was seeded completely.
    await q.query(`
      CREATE TABLE app_state (
        key varchar(100) PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // One row per delivered mail, keyed by the outbox id: a retried job never sends twice.
    await q.query(`
      CREATE TABLE sent_mails (
        outbox_id uuid PRIMARY KEY,
        recipient varchar(254) NOT NULL,
        subject varchar(300) NOT NULL,
        transport varchar(8) NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['app_state', 'sent_mails', 'outbox', 'audit_log', 'equipment_status_changes', 'equipment', 'api_keys', 'projects', 'user_centers', 'users', 'organizations', 'centers']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS refuse_change()`);
    await q.query(`DROP FUNCTION IF EXISTS touch_updated_at()`);
  }
}
