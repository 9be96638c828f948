import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { ChainVerdict } from '../common/hashing/hash-chain';
import { hydrate } from '../infra/database/hydrate';
import { SampleEventChainVerifier, SampleEventFields, sampleEventHash } from './sample-event-chain';
import { EventSource, SampleEvent } from './sample-event.entity';
import type { SampleEventType, SampleState } from './sample-lifecycle';
import type { Sample } from './sample.entity';

/** What an action adds to the custody record; the envelope (who, when, chain) is filled in here. */
export interface NewSampleEvent {
  type: SampleEventType;
  occurredAt: Date;
  source: EventSource;
  reason?: string | null;
  fromState?: SampleState | null;
  toState?: SampleState | null;
  relatedSampleIds?: string[];
  onBehalfOf?: string | null;
  scannedLabel?: string | null;
  locationId?: string | null;
  equipmentId?: string | null;
  reservationId?: string | null;
  runId?: string | null;
  payload?: Record<string, unknown>;
}

/** One sample moving into or out of a location. */
export interface LocationMove {
  eventId: string;
  sampleId: string;
  sampleCode: string;
  type: string;
  direction: 'in' | 'out';
  occurredAt: Date;
  recordedAt: Date;
  actorId: string | null;
}

/** The head of a sample's chain, as the caller read it under the row lock. */
export interface ChainHead {
  id: string;
  lastEventSeq: number;
  lastEventHash: string | null;
}

/** Row changes an action makes to the sample itself, written with the chain head in one UPDATE. */
export type SampleRowChanges = Partial<Pick<Sample, 'state' | 'heldFrom' | 'locationId' | 'holderId' | 'quantity'>>;

const SAMPLE_COLUMNS: Record<keyof SampleRowChanges, string> = { state: 'state', heldFrom: 'held_from', locationId: 'location_id', holderId: 'holder_id', quantity: 'quantity' };

/** Custody events as returned to clients: the stored event and, for inherited ones, whose it was. */
export type SampleEventView = SampleEvent & { inherited: boolean };

const VERIFY_BATCH = 2000;

/** Plain JSON, exactly as jsonb gives it back, so the hash covers what is stored. */
function plainJson(value: Record<string, unknown> | undefined): Record<string, unknown> {
  return value ? (JSON.parse(JSON.stringify(value)) as Record<string, unknown>) : {};
}

/**
 * Writes and reads the custody record. Appending needs the sample row locked by the caller
 * (its `last_event_seq` / `last_event_hash` are the chain head), so the chain never forks.
 */
@Injectable()
export class SampleEventsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.audit.registerChain(() => this.verify());
  }

  /**
   * Appends one event after `head` and moves the sample's chain head to it; `changes` to the
   * sample's own row (state, location, holder …) go into the same UPDATE. Returns the event and
   * the row's new `updatedAt`.
   */
  async append(em: EntityManager, actor: Actor, head: ChainHead, event: NewSampleEvent, changes: SampleRowChanges = {}): Promise<{ event: SampleEvent; updatedAt: Date }> {
    const fields: SampleEventFields = {
      sampleId: head.id,
      seq: head.lastEventSeq + 1,
      type: event.type,
      relatedSampleIds: event.relatedSampleIds ?? [],
      occurredAt: event.occurredAt,
      recordedAt: new Date(),
      actorId: actor.kind === 'system' ? null : actor.id,
      actorKind: actor.kind,
      actorRole: actor.kind === 'system' ? null : actor.role,
      onBehalfOf: event.onBehalfOf ?? null,
      source: event.source,
      scannedLabel: event.scannedLabel ?? null,
      reason: event.reason ?? null,
      fromState: event.fromState ?? null,
      toState: event.toState ?? null,
      locationId: event.locationId ?? null,
      equipmentId: event.equipmentId ?? null,
      reservationId: event.reservationId ?? null,
      runId: event.runId ?? null,
      payload: plainJson(event.payload),
      prevHash: head.lastEventHash,
      requestId: actor.requestId ?? null,
    };
    const hash = sampleEventHash(fields);
    const params: unknown[] = [
      fields.sampleId,
      fields.seq,
      fields.type,
      fields.relatedSampleIds,
      fields.occurredAt,
      fields.recordedAt,
      fields.actorId,
      fields.actorKind,
      fields.actorRole,
      fields.onBehalfOf,
      fields.source,
      fields.scannedLabel,
      fields.reason,
      fields.fromState,
      fields.toState,
      fields.locationId,
      fields.equipmentId,
      fields.reservationId,
      fields.runId,
      fields.payload,
      fields.prevHash,
      hash,
      fields.requestId,
    ];
    const sets = ['last_event_seq = $2', 'last_event_hash = $22'];
    for (const [key, value] of Object.entries(changes) as [keyof SampleRowChanges, unknown][]) {
      const column = SAMPLE_COLUMNS[key];
      if (!column) throw new Error(`sample column ${key} cannot be changed by an event`);
      sets.push(`${column} = $${params.push(value)}`);
    }
    const [row] = (await em.query(
      `WITH event AS (
         INSERT INTO sample_events (sample_id, seq, type, related_sample_ids, occurred_at, recorded_at, actor_id, actor_kind, actor_role,
           on_behalf_of, source, scanned_label, reason, from_state, to_state, location_id, equipment_id, reservation_id, run_id, payload,
           prev_hash, hash, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         RETURNING *
       ), head AS (
         UPDATE samples SET ${sets.join(', ')} WHERE id = $1 RETURNING updated_at
       )
       SELECT event.*, head.updated_at AS sample_updated_at FROM event, head`,
      params,
    )) as (Record<string, unknown> & { sample_updated_at: Date })[];
    head.lastEventSeq = fields.seq;
    head.lastEventHash = hash;
    return { event: hydrate(em, SampleEvent, row), updatedAt: row.sample_updated_at };
  }

  /**
   * A sample's record, oldest first. With `inherited`, the events of its ancestors up to the
   * split or combination that made it come first (a process step on the wafer is part of each
   * die's history) — in one recursive query however deep the lineage.
   */
  async history(sampleId: string, inherited: boolean): Promise<SampleEventView[]> {
    const rows = (await this.dataSource.query(
      inherited
        ? `WITH RECURSIVE ancestry AS (
             SELECT $1::uuid AS sample_id, NULL::integer AS until_seq, 0 AS depth
             UNION
             SELECT l.parent_id, l.parent_event_seq, a.depth + 1
               FROM sample_lineage l JOIN ancestry a ON l.child_id = a.sample_id
              WHERE a.depth < 50
           )
           -- LATERAL: one index range scan of (sample_id, seq) per ancestor, whatever the table size.
           SELECT e.*, (a.depth > 0) AS inherited
             FROM ancestry a
             CROSS JOIN LATERAL (
               SELECT * FROM sample_events WHERE sample_id = a.sample_id AND seq <= coalesce(a.until_seq, 2147483647)
             ) e
            ORDER BY e.occurred_at, a.depth DESC, e.seq`
        : `SELECT e.*, false AS inherited FROM sample_events e WHERE e.sample_id = $1 ORDER BY e.seq`,
      [sampleId],
    )) as (Record<string, unknown> & { inherited: boolean })[];
    return rows.map((row) => Object.assign(hydrate(this.dataSource.manager, SampleEvent, row), { inherited: row.inherited }));
  }

  /**
   * Moves into and out of a location, newest first: what came in (stored, checked back in
   * there) and what left (moved on, shipped, disposed, used up).
   */
  async locationHistory(locationId: string, limit: number): Promise<LocationMove[]> {
    const rows = (await this.dataSource.query(
      `SELECT e.id AS event_id, e.sample_id, s.code, e.type, e.occurred_at, e.recorded_at, e.actor_id,
              CASE WHEN e.location_id = $1 THEN 'in' ELSE 'out' END AS direction
         FROM sample_events e JOIN samples s ON s.id = e.sample_id
        WHERE (e.location_id = $1 AND (e.type = 'location_changed' OR e.payload ? 'fromLocationId'))
           OR (e.payload ? 'fromLocationId' AND e.payload->>'fromLocationId' = $1::text)
        ORDER BY e.recorded_at DESC, e.id
        LIMIT $2`,
      [locationId, limit],
    )) as { event_id: string; sample_id: string; code: string; type: string; occurred_at: Date; recorded_at: Date; actor_id: string | null; direction: 'in' | 'out' }[];
    return rows.map((row) => ({
      eventId: row.event_id,
      sampleId: row.sample_id,
      sampleCode: row.code,
      type: row.type,
      direction: row.direction,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      actorId: row.actor_id,
    }));
  }

  /** One event of a sample, or null. */
  async findOfSample(em: EntityManager, sampleId: string, eventId: string): Promise<SampleEvent | null> {
    const [row] = (await em.query('SELECT * FROM sample_events WHERE id = $1 AND sample_id = $2', [eventId, sampleId])) as Record<string, unknown>[];
    return row ? hydrate(em, SampleEvent, row) : null;
  }

  /** Re-hashes one sample's chain (or every chain) in batches and names the first broken link. */
  async verify(sampleId?: string): Promise<ChainVerdict> {
    const verifier = new SampleEventChainVerifier();
    let after: { sampleId: string; seq: number } | null = null;
    for (;;) {
      const params: unknown[] = [VERIFY_BATCH];
      const conditions: string[] = [];
      if (sampleId) conditions.push(`sample_id = $${params.push(sampleId)}`);
      if (after) conditions.push(`(sample_id, seq) > ($${params.push(after.sampleId)}::uuid, $${params.push(after.seq)})`);
      const rows = (await this.dataSource.query(
        `SELECT * FROM sample_events ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY sample_id, seq LIMIT $1`,
        params,
      )) as Record<string, unknown>[];
      for (const row of rows) {
        const event = hydrate(this.dataSource.manager, SampleEvent, row);
        if (!verifier.add({ ...event, entity: 'sample', entityId: event.sampleId })) return verifier.verdict();
      }
      if (rows.length < VERIFY_BATCH) return verifier.verdict();
      const last = rows[rows.length - 1] as { sample_id: string; seq: number };
      after = { sampleId: last.sample_id, seq: last.seq };
    }
  }
}
