import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sample traceability: storage locations, labels, samples with gapless codes, lineage and the
 * append-only, hash-chained custody record (sample events).
 * Constraint names are referenced by src/common/errors/pg-error.ts: rename both together.
 */
export class Samples1764900000000 implements MigrationInterface {
  name = 'Samples1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE locations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        center_id uuid NOT NULL REFERENCES centers (id),
        parent_id uuid REFERENCES locations (id),
        name varchar(120) NOT NULL,
        kind varchar(10) NOT NULL CONSTRAINT ck_locations_kind CHECK (kind IN ('room','cabinet','shelf','box','position','other')),
        capacity integer CONSTRAINT ck_locations_capacity_positive CHECK (capacity IS NULL OR capacity > 0),
        -- Kept by the samples_occupancy trigger, so the capacity holds however a sample is moved.
        occupancy integer NOT NULL DEFAULT 0,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_locations_capacity CHECK (capacity IS NULL OR occupancy <= capacity),
        CONSTRAINT ck_locations_occupancy CHECK (occupancy >= 0),
        CONSTRAINT ck_locations_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_locations_sibling_name ON locations (center_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))`);
    await q.query(`CREATE INDEX ix_locations_parent ON locations (parent_id)`);

    // Gapless per center and year: the counter row is updated in the registering transaction,
    // so a rolled-back registration gives its numbers back and two registrations never share one.
    await q.query(`
      CREATE TABLE sample_code_counters (
        center_id uuid NOT NULL REFERENCES centers (id),
        year smallint NOT NULL,
        last_value integer NOT NULL CONSTRAINT ck_sample_code_counters_range CHECK (last_value BETWEEN 0 AND 999999),
        PRIMARY KEY (center_id, year)
      )`);

    await q.query(`
      CREATE TABLE samples (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(20) NOT NULL CONSTRAINT uq_samples_code UNIQUE,
        center_id uuid NOT NULL REFERENCES centers (id),
        organization_id uuid NOT NULL REFERENCES organizations (id),
        project_id uuid NOT NULL REFERENCES projects (id),
        name varchar(200) NOT NULL,
        material varchar(200),
        form varchar(8) NOT NULL CONSTRAINT ck_samples_form CHECK (form IN ('wafer','die','film','powder','coupon','liquid','other')),
        quantity numeric(14,4) CONSTRAINT ck_samples_quantity CHECK (quantity IS NULL OR quantity >= 0),
        unit varchar(16),
        hazards varchar(5)[] NOT NULL DEFAULT '{}'
          CONSTRAINT ck_samples_hazards CHECK (hazards <@ ARRAY['GHS01','GHS02','GHS03','GHS04','GHS05','GHS06','GHS07','GHS08','GHS09']::varchar(5)[]),
        client_ref varchar(100),
        state varchar(10) NOT NULL DEFAULT 'expected' CONSTRAINT ck_samples_state
          CHECK (state IN ('expected','received','available','in_use','on_hold','rejected','shipped','consumed','disposed','cancelled')),
        -- The state to return to when a hold is released.
        held_from varchar(10),
        location_id uuid REFERENCES locations (id),
        holder_id uuid REFERENCES users (id),
        retention_until date,
        registered_at timestamptz NOT NULL,
        -- Head of the custody chain, so the next event links to it without a lookup.
        last_event_seq integer NOT NULL DEFAULT 0,
        last_event_hash char(64),
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query(`CREATE INDEX ix_samples_organization ON samples (organization_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_samples_project ON samples (project_id)`);
    await q.query(`CREATE INDEX ix_samples_location ON samples (location_id) WHERE location_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_samples_state ON samples (state)`);
    await q.query(`CREATE INDEX ix_samples_retention ON samples (retention_until) WHERE retention_until IS NOT NULL`);
    await q.query(`CREATE INDEX ix_samples_search ON samples USING gin (to_tsvector('simple', code || ' ' || name || ' ' || coalesce(material, '') || ' ' || coalesce(client_ref, '')))`);
    await q.query(`CREATE TRIGGER samples_touch BEFORE UPDATE ON samples FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
    await q.query(`CREATE TRIGGER locations_touch BEFORE UPDATE ON locations FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    // Occupancy follows samples in and out of locations; ck_locations_capacity refuses an overfull one.
    await q.query(`
      CREATE FUNCTION samples_occupancy() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE','DELETE') AND OLD.location_id IS NOT NULL
           AND (TG_OP = 'DELETE' OR NEW.location_id IS DISTINCT FROM OLD.location_id) THEN
          UPDATE locations SET occupancy = occupancy - 1 WHERE id = OLD.location_id;
        END IF;
        IF TG_OP IN ('INSERT','UPDATE') AND NEW.location_id IS NOT NULL
           AND (TG_OP = 'INSERT' OR NEW.location_id IS DISTINCT FROM OLD.location_id) THEN
          UPDATE locations SET occupancy = occupancy + 1 WHERE id = NEW.location_id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER samples_occupancy AFTER INSERT OR UPDATE OF location_id OR DELETE ON samples FOR EACH ROW EXECUTE FUNCTION samples_occupancy()`);

    await q.query(`
      CREATE TABLE labels (
        id varchar(10) PRIMARY KEY CONSTRAINT ck_labels_id CHECK (id ~ '^[0-9A-HJKMNP-TV-Z]{10}$'),
        center_id uuid NOT NULL REFERENCES centers (id),
        status varchar(10) NOT NULL DEFAULT 'unassigned' CONSTRAINT ck_labels_status CHECK (status IN ('unassigned','active','void')),
        sample_id uuid REFERENCES samples (id),
        location_id uuid REFERENCES locations (id),
        void_reason varchar(200),
        assigned_at timestamptz,
        voided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT ck_labels_one_target CHECK (sample_id IS NULL OR location_id IS NULL),
        CONSTRAINT ck_labels_active_bound CHECK (status <> 'active' OR sample_id IS NOT NULL OR location_id IS NOT NULL),
        CONSTRAINT ck_labels_unassigned_free CHECK (status <> 'unassigned' OR (sample_id IS NULL AND location_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_labels_active_sample ON labels (sample_id) WHERE status = 'active' AND sample_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_labels_active_location ON labels (location_id) WHERE status = 'active' AND location_id IS NOT NULL`);
    await q.query(`CREATE TRIGGER labels_touch BEFORE UPDATE ON labels FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

    await q.query(`
      CREATE TABLE sample_lineage (
        parent_id uuid NOT NULL REFERENCES samples (id),
        child_id uuid NOT NULL REFERENCES samples (id),
        kind varchar(8) NOT NULL CONSTRAINT ck_sample_lineage_kind CHECK (kind IN ('split','combine')),
        descriptor jsonb NOT NULL DEFAULT '{}',
        -- The parent's event that made the child: the parent's history up to it is the child's too.
        parent_event_seq integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        PRIMARY KEY (parent_id, child_id),
        CONSTRAINT ck_sample_lineage_not_self CHECK (parent_id <> child_id)
      )`);
    await q.query(`CREATE INDEX ix_sample_lineage_child ON sample_lineage (child_id)`);
    await q.query(`CREATE TRIGGER sample_lineage_append_only BEFORE UPDATE OR DELETE ON sample_lineage FOR EACH ROW EXECUTE FUNCTION refuse_change()`);

    await q.query(`
      CREATE TABLE sample_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sample_id uuid NOT NULL REFERENCES samples (id),
        seq integer NOT NULL CONSTRAINT ck_sample_events_seq CHECK (seq > 0),
        type varchar(20) NOT NULL CONSTRAINT ck_sample_events_type CHECK (type IN (
          'registered','received','rejected','label_printed','location_changed','custody_changed','process_step',
          'split','combined','measured','quantity_adjusted','hazard_updated','hold_placed','hold_released',
          'shipped','return_received','disposed','corrected','cancelled','reinstated')),
        related_sample_ids uuid[] NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        actor_id uuid,
        actor_kind varchar(8) NOT NULL CONSTRAINT ck_sample_events_actor_kind CHECK (actor_kind IN ('user','api_key','system')),
        actor_role varchar(8),
        on_behalf_of uuid REFERENCES users (id),
        source varchar(10) NOT NULL CONSTRAINT ck_sample_events_source CHECK (source IN ('ui','scan','api','instrument')),
        scanned_label varchar(10),
        reason text,
        from_state varchar(10),
        to_state varchar(10),
        location_id uuid REFERENCES locations (id),
        equipment_id uuid REFERENCES equipment (id),
        reservation_id uuid REFERENCES reservations (id),
        run_id varchar(64),
        payload jsonb NOT NULL DEFAULT '{}',
        prev_hash char(64),
        hash char(64) NOT NULL,
        request_id varchar(100),
        CONSTRAINT uq_sample_events_chain UNIQUE (sample_id, seq)
      )`);
    await q.query(`CREATE INDEX ix_sample_events_run ON sample_events (run_id) WHERE run_id IS NOT NULL`);
    // Moves into a place carry its id in location_id, moves out in payload.fromLocationId.
    await q.query(`CREATE INDEX ix_sample_events_location ON sample_events (location_id, recorded_at) WHERE location_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_sample_events_from_location ON sample_events ((payload->>'fromLocationId'), recorded_at) WHERE payload ? 'fromLocationId'`);
    await q.query(`CREATE INDEX ix_sample_events_equipment ON sample_events (equipment_id, occurred_at) WHERE equipment_id IS NOT NULL`);
    await q.query(`CREATE TRIGGER sample_events_append_only BEFORE UPDATE OR DELETE ON sample_events FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`CREATE TRIGGER sample_events_no_truncate BEFORE TRUNCATE ON sample_events FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS sample_events`);
    await q.query(`DROP TABLE IF EXISTS sample_lineage`);
    await q.query(`DROP TABLE IF EXISTS labels`);
    await q.query(`DROP TABLE IF EXISTS samples`);
    await q.query(`DROP FUNCTION IF EXISTS samples_occupancy()`);
    await q.query(`DROP TABLE IF EXISTS sample_code_counters`);
    await q.query(`DROP TABLE IF EXISTS locations`);
  }
}
