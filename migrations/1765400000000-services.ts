import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analysis services: the per-center catalogue, service requests with their quotes, received
 * samples, status timeline and signed report revisions. Quote lines and report revisions are
 * never edited once written: a new quote or an amended report is a new row.
 * Constraint names are referenced by src/common/errors/pg-error.ts: rename both together.
 */
export class Services1765400000000 implements MigrationInterface {
  name = 'Services1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE services (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        center_id uuid NOT NULL REFERENCES centers (id),
        code varchar(40) NOT NULL,
        name_ja varchar(200) NOT NULL,
        name_en varchar(200) NOT NULL,
        technique varchar(100) NOT NULL,
        description text,
        equipment_ids uuid[] NOT NULL DEFAULT '{}',
        unit varchar(12) NOT NULL CONSTRAINT ck_services_unit CHECK (unit IN ('sample','hour','measurement')),
        -- Integer yen per unit for each rate category.
        prices jsonb NOT NULL,
        turnaround_days integer NOT NULL CONSTRAINT ck_services_turnaround CHECK (turnaround_days BETWEEN 0 AND 365),
        -- What a requester must say about each sample, e.g. size limits or conductivity for SEM.
        sample_requirements jsonb NOT NULL DEFAULT '[]',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_services_center_code UNIQUE (center_id, code)
      )`);
    await q.query(`CREATE TRIGGER services_touch BEFORE UPDATE ON services FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    // Request codes `<CENTER>-SR-<YY>-<seq>`: gapless per center and year, like sample codes.
    await q.query(`
      CREATE TABLE service_request_counters (
        center_id uuid NOT NULL REFERENCES centers (id),
        year integer NOT NULL,
        last_value integer NOT NULL,
        PRIMARY KEY (center_id, year)
      )`);

    await q.query(`
      CREATE TABLE service_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(40) NOT NULL CONSTRAINT uq_service_requests_code UNIQUE,
        center_id uuid NOT NULL REFERENCES centers (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        project_id uuid NOT NULL REFERENCES projects (id),
        requester_id uuid REFERENCES users (id),
        status varchar(20) NOT NULL CONSTRAINT ck_service_requests_status CHECK (status IN
          ('submitted','quoted','accepted','samples_received','in_progress','results_ready','delivered','closed','rejected','cancelled')),
        sample_count integer NOT NULL CONSTRAINT ck_service_requests_sample_count CHECK (sample_count BETWEEN 1 AND 10000),
        sample_description text NOT NULL,
        deadline date,
        notes text,
        hazard_declaration text,
        po_number varchar(100),
        accepted_by uuid REFERENCES users (id),
        accepted_at timestamptz,
        results_summary text,
        -- The datasets the results are reported with (each a dataset of this request).
        result_dataset_ids uuid[] NOT NULL DEFAULT '{}',
        deviations jsonb NOT NULL DEFAULT '[]',
        status_reason text,
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`CREATE INDEX ix_service_requests_organization ON service_requests (organization_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_service_requests_center_status ON service_requests (center_id, status)`);
    await q.query(`CREATE TRIGGER service_requests_touch BEFORE UPDATE ON service_requests FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    await q.query(`
      CREATE TABLE service_request_items (
        request_id uuid NOT NULL REFERENCES service_requests (id),
        position integer NOT NULL,
        service_id uuid NOT NULL REFERENCES services (id),
        quantity integer NOT NULL CONSTRAINT ck_service_request_items_quantity CHECK (quantity BETWEEN 1 AND 100000),
        PRIMARY KEY (request_id, position)
      )`);

    // The requester's timeline: every status change with who, when and why. Append-only.
    await q.query(`
      CREATE TABLE service_request_status_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES service_requests (id),
        from_status varchar(20),
        to_status varchar(20) NOT NULL,
        reason text,
        actor_id uuid,
        actor_role varchar(10),
        at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      )`);
    await q.query(`CREATE INDEX ix_service_request_status_changes_request ON service_request_status_changes (request_id, id)`);
    await q.query(`CREATE TRIGGER service_request_status_changes_append_only BEFORE UPDATE OR DELETE ON service_request_status_changes FOR EACH ROW EXECUTE FUNCTION refuse_change()`);

    // A quote is issued once and never edited; quoting again supersedes it with a new revision.
    await q.query(`
      CREATE TABLE service_quotes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL REFERENCES service_requests (id),
        revision integer NOT NULL CONSTRAINT ck_service_quotes_revision CHECK (revision > 0),
        number varchar(50) NOT NULL CONSTRAINT uq_service_quotes_number UNIQUE,
        rate_category varchar(10) NOT NULL,
        tax_rate smallint NOT NULL CONSTRAINT ck_service_quotes_tax_rate CHECK (tax_rate BETWEEN 0 AND 100),
        valid_until date NOT NULL,
        subtotal bigint NOT NULL,
        tax bigint NOT NULL,
        total bigint NOT NULL,
        notes text,
        issued_by uuid REFERENCES users (id),
        issued_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        superseded_at timestamptz,
        CONSTRAINT uq_service_quotes_revision UNIQUE (request_id, revision),
        CONSTRAINT ck_service_quotes_total CHECK (total = subtotal + tax AND subtotal >= 0 AND tax >= 0)
      )`);
    await q.query(`
      CREATE TABLE service_quote_lines (
        quote_id uuid NOT NULL REFERENCES service_quotes (id),
        position integer NOT NULL,
        service_id uuid REFERENCES services (id),
        description varchar(500) NOT NULL,
        -- Hundredths allowed (1.5 hours); amounts are whole yen.
        quantity numeric(12,2) NOT NULL CONSTRAINT ck_service_quote_lines_quantity CHECK (quantity > 0),
        unit varchar(20),
        unit_price bigint NOT NULL CONSTRAINT ck_service_quote_lines_unit_price CHECK (unit_price >= 0),
        discount boolean NOT NULL DEFAULT false,
        amount bigint NOT NULL,
        PRIMARY KEY (quote_id, position),
        CONSTRAINT ck_service_quote_lines_sign CHECK ((discount AND amount <= 0) OR (NOT discount AND amount >= 0))
      )`);
    await q.query(`CREATE TRIGGER service_quote_lines_immutable BEFORE UPDATE OR DELETE ON service_quote_lines FOR EACH ROW EXECUTE FUNCTION refuse_change()`);

    await q.query(`
      CREATE TABLE service_request_samples (
        request_id uuid NOT NULL REFERENCES service_requests (id),
        sample_id uuid NOT NULL REFERENCES samples (id),
        received_by uuid REFERENCES users (id),
        received_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        PRIMARY KEY (request_id, sample_id)
      )`);
    await q.query(`CREATE INDEX ix_service_request_samples_sample ON service_request_samples (sample_id)`);

    // Report revisions: the approved content is frozen (content, signature); only the rendered
    // file's fields are filled in later by the worker, and an invalidation is recorded once.
    await q.query(`
      CREATE TABLE service_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL REFERENCES service_requests (id),
        revision integer NOT NULL CONSTRAINT ck_service_reports_revision CHECK (revision > 0),
        revision_id varchar(50) NOT NULL CONSTRAINT uq_service_reports_revision_id UNIQUE,
        content jsonb NOT NULL,
        approved_by uuid NOT NULL REFERENCES users (id),
        approved_at timestamptz NOT NULL,
        amends_id uuid REFERENCES service_reports (id),
        amendment_reason text,
        invalidated_at timestamptz,
        invalidation_reason text,
        storage_key varchar(300),
        sha256 char(64),
        size bigint,
        rendered_at timestamptz,
        CONSTRAINT uq_service_reports_revision UNIQUE (request_id, revision),
        CONSTRAINT ck_service_reports_amendment CHECK ((revision = 1) = (amends_id IS NULL) AND (amends_id IS NULL) = (amendment_reason IS NULL))
      )`);
    await q.query(`
      CREATE FUNCTION service_reports_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'service reports are never deleted' USING ERRCODE = 'P0001', CONSTRAINT = 'service_reports_frozen';
        END IF;
        IF NEW.content IS DISTINCT FROM OLD.content OR NEW.approved_by IS DISTINCT FROM OLD.approved_by
           OR NEW.approved_at IS DISTINCT FROM OLD.approved_at OR NEW.revision_id IS DISTINCT FROM OLD.revision_id
           OR NEW.request_id IS DISTINCT FROM OLD.request_id OR NEW.amends_id IS DISTINCT FROM OLD.amends_id
           OR NEW.amendment_reason IS DISTINCT FROM OLD.amendment_reason
           OR (OLD.invalidated_at IS NOT NULL AND NEW.invalidated_at IS DISTINCT FROM OLD.invalidated_at)
           OR (OLD.sha256 IS NOT NULL AND NEW.sha256 IS DISTINCT FROM OLD.sha256) THEN
          RAISE EXCEPTION 'an approved report is never edited; amend it instead' USING ERRCODE = 'P0001', CONSTRAINT = 'service_reports_frozen';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER service_reports_frozen BEFORE UPDATE OR DELETE ON service_reports FOR EACH ROW EXECUTE FUNCTION service_reports_frozen()`);

    // Datasets and reservations point at the request they were made for. Existing datasets were
    // written before requests existed, so their links are not checked retroactively.
    await q.query(`ALTER TABLE datasets ADD CONSTRAINT fk_datasets_service_request FOREIGN KEY (service_request_id) REFERENCES service_requests (id) NOT VALID`);
    await q.query(`CREATE INDEX ix_datasets_service_request ON datasets (service_request_id) WHERE service_request_id IS NOT NULL`);
    await q.query(`ALTER TABLE reservations ADD COLUMN service_request_id uuid CONSTRAINT fk_reservations_service_request REFERENCES service_requests (id)`);
    await q.query(`CREATE INDEX ix_reservations_service_request ON reservations (service_request_id) WHERE service_request_id IS NOT NULL`);
    // Work for a request is booked on the request's project while the request is being worked
    // on. Checked here rather than in the reservations module, which does not know requests.
    await q.query(`
      CREATE FUNCTION reservations_service_request_check() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM service_requests r WHERE r.id = NEW.service_request_id AND r.project_id = NEW.project_id
                        AND r.status IN ('accepted','samples_received','in_progress','results_ready')) THEN
          RAISE EXCEPTION 'the service request is not open for work on this project'
            USING ERRCODE = '23514', CONSTRAINT = 'ck_reservations_service_request';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE FUNCTION datasets_service_request_check() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM service_requests r WHERE r.id = NEW.service_request_id AND r.organization_id = NEW.organization_id) THEN
          RAISE EXCEPTION 'the service request belongs to another organization'
            USING ERRCODE = '23514', CONSTRAINT = 'ck_datasets_service_request';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER datasets_service_request_check BEFORE INSERT ON datasets
      FOR EACH ROW WHEN (NEW.service_request_id IS NOT NULL) EXECUTE FUNCTION datasets_service_request_check()`);
    await q.query(`CREATE TRIGGER reservations_service_request_check BEFORE INSERT OR UPDATE OF service_request_id, project_id ON reservations
      FOR EACH ROW WHEN (NEW.service_request_id IS NOT NULL) EXECUTE FUNCTION reservations_service_request_check()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS datasets_service_request_check ON datasets`);
    await q.query(`DROP FUNCTION IF EXISTS datasets_service_request_check()`);
    await q.query(`DROP TRIGGER IF EXISTS reservations_service_request_check ON reservations`);
    await q.query(`DROP FUNCTION IF EXISTS reservations_service_request_check()`);
    await q.query(`DROP INDEX IF EXISTS ix_reservations_service_request`);
    await q.query(`ALTER TABLE reservations DROP COLUMN IF EXISTS service_request_id`);
    await q.query(`DROP INDEX IF EXISTS ix_datasets_service_request`);
    await q.query(`ALTER TABLE datasets DROP CONSTRAINT IF EXISTS fk_datasets_service_request`);
    await q.query(`DROP TABLE IF EXISTS service_reports`);
    await q.query(`DROP FUNCTION IF EXISTS service_reports_frozen()`);
    await q.query(`DROP TABLE IF EXISTS service_request_samples`);
    await q.query(`DROP TABLE IF EXISTS service_quote_lines`);
    await q.query(`DROP TABLE IF EXISTS service_quotes`);
    await q.query(`DROP TABLE IF EXISTS service_request_status_changes`);
    await q.query(`DROP TABLE IF EXISTS service_request_items`);
    await q.query(`DROP TABLE IF EXISTS service_requests`);
    await q.query(`DROP TABLE IF EXISTS service_request_counters`);
    await q.query(`DROP TABLE IF EXISTS services`);
  }
}
