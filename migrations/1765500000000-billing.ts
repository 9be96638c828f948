import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing: per-tool charging rules, charges derived from events, invoices and credit notes with
 * gapless numbers per center and fiscal year.
 *
 * What the database itself guarantees:
 * - a source (reservation, service request line, adjustment, re-issue) yields one charge at most
 *   (`uq_charges_source`), so deriving charges is idempotent;
 * - charges are append-only: only their invoice link changes, and only while that invoice is a
 *   draft — a charge is invoiced at most once (`charges_guard`);
 * - one live invoice per organization, center and period (`ex_invoices_period`);
 * - an issued invoice never changes except for being paid or credited (`invoices_guard`).
 * Constraint names are referenced by src/common/errors/pg-error.ts: rename both together.
 */
export class Billing1765500000000 implements MigrationInterface {
  name = 'Billing1765500000000';

  async up(q: QueryRunner): Promise<void> {
    // What a tool charges: used time, booked time or the greater (NUcore's `charge_for`), the
    // share of the booked time charged for a no-show or a late cancellation, and the staff
    // operator's hourly rates for `assisted` bookings (none: assisted time is not charged extra).
    await q.query(`
      ALTER TABLE equipment
        ADD COLUMN charge_for varchar(8) NOT NULL DEFAULT 'greater' CONSTRAINT ck_equipment_charge_for CHECK (charge_for IN ('used','booked','greater')),
        ADD COLUMN no_show_charge_percent smallint NOT NULL DEFAULT 100
          CONSTRAINT ck_equipment_no_show_charge_percent CHECK (no_show_charge_percent BETWEEN 0 AND 100),
        ADD COLUMN late_cancellation_charge_percent smallint NOT NULL DEFAULT 50
          CONSTRAINT ck_equipment_late_cancellation_charge_percent CHECK (late_cancellation_charge_percent BETWEEN 0 AND 100),
        ADD COLUMN staff_rates jsonb`);

    await q.query(`
      CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(12) NOT NULL CONSTRAINT ck_invoices_kind CHECK (kind IN ('invoice','credit_note')),
        center_id uuid NOT NULL REFERENCES centers (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        -- Days in the center's time zone, both inclusive.
        period_start date NOT NULL,
        period_end date NOT NULL,
        status varchar(10) NOT NULL CONSTRAINT ck_invoices_status CHECK (status IN ('draft','issued','paid','credited','discarded')),
        number varchar(40) CONSTRAINT uq_invoices_number UNIQUE,
        fiscal_year integer,
        sequence integer,
        -- Integer yen. Consumption tax is computed once per rate over the whole document.
        subtotal bigint NOT NULL DEFAULT 0,
        tax bigint NOT NULL DEFAULT 0,
        total bigint NOT NULL DEFAULT 0,
        taxes jsonb NOT NULL DEFAULT '[]',
        line_count integer NOT NULL DEFAULT 0,
        due_date date,
        notes text,
        -- Issuer and recipient as printed at issue, so a reprint never changes.
        snapshot jsonb,
        built_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        built_by uuid REFERENCES users (id),
        issued_at timestamptz,
        issued_by uuid REFERENCES users (id),
        paid_at timestamptz,
        paid_recorded_by uuid REFERENCES users (id),
        credited_at timestamptz,
        discarded_at timestamptz,
        credit_for_id uuid REFERENCES invoices (id) CONSTRAINT uq_invoices_credit_for UNIQUE,
        credit_reason text,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_invoices_period CHECK (period_end >= period_start),
        CONSTRAINT ck_invoices_total CHECK (total = subtotal + tax),
        CONSTRAINT ck_invoices_number CHECK ((status IN ('draft','discarded')) = (number IS NULL) AND (number IS NULL) = (fiscal_year IS NULL) AND (number IS NULL) = (sequence IS NULL)),
        CONSTRAINT ck_invoices_credit_note CHECK ((kind = 'credit_note') = (credit_for_id IS NOT NULL) AND (kind = 'credit_note') = (credit_reason IS NOT NULL)),
        CONSTRAINT uq_invoices_sequence UNIQUE (center_id, fiscal_year, sequence),
        CONSTRAINT ex_invoices_period EXCLUDE USING gist (organization_id WITH =, center_id WITH =, daterange(period_start, period_end, '[]') WITH &&)
          WHERE (kind = 'invoice' AND status IN ('draft','issued','paid'))
      )`);
    await q.query(`CREATE INDEX ix_invoices_organization ON invoices (organization_id, period_start DESC)`);
    await q.query(`CREATE INDEX ix_invoices_center ON invoices (center_id, status)`);
    await q.query(`CREATE TRIGGER invoices_touch BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
    await q.query(`
      CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        recorded text[] := ARRAY['status','paid_at','paid_recorded_by','credited_at','updated_at'];
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'invoices are never deleted; a draft is discarded' USING ERRCODE = 'P0001', CONSTRAINT = 'invoices_immutable';
        END IF;
        IF OLD.status = 'draft' THEN
          RETURN NEW;
        END IF;
        IF OLD.status IN ('issued','paid')
           AND (to_jsonb(NEW) - recorded) = (to_jsonb(OLD) - recorded)
           AND ((OLD.status = 'issued' AND NEW.status IN ('issued','paid','credited'))
             OR (OLD.status = 'paid' AND NEW.status IN ('paid','credited') AND NEW.paid_at IS NOT DISTINCT FROM OLD.paid_at))
           AND (OLD.credited_at IS NULL OR NEW.credited_at IS NOT DISTINCT FROM OLD.credited_at) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'invoice % is %: an issued invoice is never edited; correct it with a credit note', OLD.id, OLD.status
          USING ERRCODE = 'P0001', CONSTRAINT = 'invoices_immutable';
      END $$`);
    await q.query(`CREATE TRIGGER invoices_guard BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_guard()`);

    // Gapless numbers: the counter row is taken in the issuing transaction, so a rolled-back
    // issue gives its number back and concurrent issues queue on the row.
    await q.query(`
      CREATE TABLE invoice_counters (
        center_id uuid NOT NULL REFERENCES centers (id),
        fiscal_year integer NOT NULL,
        last_value integer NOT NULL,
        PRIMARY KEY (center_id, fiscal_year)
      )`);

    await q.query(`
      CREATE TABLE charges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        center_id uuid NOT NULL REFERENCES centers (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        project_id uuid NOT NULL REFERENCES projects (id),
        equipment_id uuid REFERENCES equipment (id),
        kind varchar(20) NOT NULL CONSTRAINT ck_charges_kind
          CHECK (kind IN ('instrument_time','staff_time','no_show','late_cancellation','service','adjustment')),
        -- What the charge was derived from; one charge per source line, ever.
        source_kind varchar(16) NOT NULL CONSTRAINT ck_charges_source_kind CHECK (source_kind IN ('reservation','service_request','adjustment','reissue')),
        source_id uuid NOT NULL,
        source_line integer NOT NULL DEFAULT 0,
        description varchar(1000) NOT NULL,
        -- Hours to two decimals for time, the quote's quantity for services.
        quantity numeric(12,2) NOT NULL,
        unit varchar(20),
        minutes integer,
        unit_price bigint,
        -- Integer yen; negative for a correction downwards.
        amount bigint NOT NULL,
        tax_rate smallint NOT NULL DEFAULT 10 CONSTRAINT ck_charges_tax_rate CHECK (tax_rate BETWEEN 0 AND 100),
        -- Decides the invoice period (in the center's time zone).
        occurred_at timestamptz NOT NULL,
        adjusts_charge_id uuid REFERENCES charges (id),
        reissue_of_id uuid REFERENCES charges (id),
        reason text,
        created_by uuid REFERENCES users (id),
        invoice_id uuid REFERENCES invoices (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_charges_source UNIQUE (source_kind, source_id, source_line),
        CONSTRAINT ck_charges_adjustment CHECK ((kind = 'adjustment') = (adjusts_charge_id IS NOT NULL) AND (kind <> 'adjustment' OR reason IS NOT NULL)),
        CONSTRAINT ck_charges_reissue CHECK ((source_kind = 'reissue') = (reissue_of_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX ix_charges_organization ON charges (organization_id, occurred_at)`);
    await q.query(`CREATE INDEX ix_charges_uninvoiced ON charges (organization_id, center_id, occurred_at) WHERE invoice_id IS NULL`);
    await q.query(`CREATE INDEX ix_charges_invoice ON charges (invoice_id) WHERE invoice_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_charges_adjusts ON charges (adjusts_charge_id) WHERE adjusts_charge_id IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION charges_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target record;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'charges are append-only: correct one with an adjustment' USING ERRCODE = 'P0001', CONSTRAINT = 'charges_append_only';
        END IF;
        IF TG_OP = 'INSERT' THEN
          IF NEW.invoice_id IS NULL THEN
            RETURN NEW;
          END IF;
        ELSIF (to_jsonb(NEW) - 'invoice_id') <> (to_jsonb(OLD) - 'invoice_id') THEN
          RAISE EXCEPTION 'charges are append-only: only the invoice link changes' USING ERRCODE = 'P0001', CONSTRAINT = 'charges_append_only';
        ELSIF NEW.invoice_id IS NOT DISTINCT FROM OLD.invoice_id THEN
          RETURN NEW;
        ELSIF OLD.invoice_id IS NOT NULL THEN
          -- Only a draft gives its charges back (discarded); an issued invoice keeps them.
          SELECT status INTO target FROM invoices WHERE id = OLD.invoice_id FOR SHARE;
          IF NEW.invoice_id IS NOT NULL OR target.status <> 'draft' THEN
            RAISE EXCEPTION 'charge % is already on invoice %: a charge is invoiced at most once', OLD.id, OLD.invoice_id
              USING ERRCODE = 'P0001', CONSTRAINT = 'charges_invoiced_once';
          END IF;
          RETURN NEW;
        END IF;
        -- FOR SHARE waits for an issue in progress, then sees the invoice as it committed.
        SELECT kind, status, organization_id, center_id INTO target FROM invoices WHERE id = NEW.invoice_id FOR SHARE;
        IF NOT FOUND OR target.kind <> 'invoice' OR target.status <> 'draft' THEN
          RAISE EXCEPTION 'charge % can join only a draft invoice', NEW.id USING ERRCODE = 'P0001', CONSTRAINT = 'charges_invoiced_once';
        END IF;
        IF target.organization_id <> NEW.organization_id OR target.center_id <> NEW.center_id THEN
          RAISE EXCEPTION 'charge % belongs to another organization or center than invoice %', NEW.id, NEW.invoice_id
            USING ERRCODE = 'P0001', CONSTRAINT = 'charges_invoice_owner';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER charges_guard BEFORE INSERT OR UPDATE OR DELETE ON charges FOR EACH ROW EXECUTE FUNCTION charges_guard()`);
    await q.query(`CREATE TRIGGER charges_no_truncate BEFORE TRUNCATE ON charges FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS charges`);
    await q.query(`DROP FUNCTION IF EXISTS charges_guard()`);
    await q.query(`DROP TABLE IF EXISTS invoice_counters`);
    await q.query(`DROP TABLE IF EXISTS invoices`);
    await q.query(`DROP FUNCTION IF EXISTS invoices_guard()`);
    await q.query(`ALTER TABLE equipment DROP COLUMN IF EXISTS charge_for, DROP COLUMN IF EXISTS no_show_charge_percent,
      DROP COLUMN IF EXISTS late_cancellation_charge_percent, DROP COLUMN IF EXISTS staff_rates`);
  }
}
