import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { SampleEventType, SampleState } from './sample-lifecycle';

export type EventSource = 'ui' | 'scan' | 'api' | 'instrument';

/**
 * One entry of a sample's custody and process record. Append-only (the database refuses
 * UPDATE and DELETE) and hash-chained per sample; a correction is a new `corrected` event.
 * Visibility follows the sample (checked before events are read).
 */
@Entity({ name: 'sample_events' })
@TenantOwned(null)
export class SampleEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'sample_id', type: 'uuid' })
  sampleId: string;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 20 })
  type: SampleEventType;

  /** Other samples the event involves (children of a split, inputs of a combination). */
  @Column({ name: 'related_sample_ids', type: 'uuid', array: true, default: () => "'{}'" })
  relatedSampleIds: string[];

  /** When it physically happened. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** When the server recorded it. */
  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_kind', type: 'varchar', length: 8 })
  actorKind: 'user' | 'api_key' | 'system';

  @Column({ name: 'actor_role', type: 'varchar', length: 8, nullable: true })
  actorRole: string | null;

  @Column({ name: 'on_behalf_of', type: 'uuid', nullable: true })
  onBehalfOf: string | null;

  @Column({ type: 'varchar', length: 10 })
  source: EventSource;

  @Column({ name: 'scanned_label', type: 'varchar', length: 10, nullable: true })
  scannedLabel: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'from_state', type: 'varchar', length: 10, nullable: true })
  fromState: SampleState | null;

  @Column({ name: 'to_state', type: 'varchar', length: 10, nullable: true })
  toState: SampleState | null;

  @Column({ name: 'location_id', type: 'uuid', nullable: true })
  locationId: string | null;

  @Column({ name: 'equipment_id', type: 'uuid', nullable: true })
  equipmentId: string | null;

  @Column({ name: 'reservation_id', type: 'uuid', nullable: true })
  reservationId: string | null;

  /** Shared by samples processed together in one run of a tool. */
  @Column({ name: 'run_id', type: 'varchar', length: 64, nullable: true })
  runId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash: string | null;

  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ name: 'request_id', type: 'varchar', length: 100, nullable: true })
  requestId: string | null;
}
