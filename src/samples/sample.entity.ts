import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { GhsCode } from '../labels/ghs-pictograms';
import type { SampleState } from './sample-lifecycle';

export const SAMPLE_FORMS = ['wafer', 'die', 'film', 'powder', 'coupon', 'liquid', 'other'] as const;
export type SampleForm = (typeof SAMPLE_FORMS)[number];

/** numeric comes back from pg as a string; quantities are small enough for a JS number. */
const quantityTransformer = { to: (value: number | null | undefined) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/** A physical thing the center holds for a client: wafer, die, film, powder … */
@Entity({ name: 'samples' })
@TenantOwned('organization_id')
export class Sample {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `<CENTER>-<YY>-<seq>`, e.g. KNS-26-000123: gapless per center and year, printed on the label. */
  @Column({ type: 'varchar', length: 20 })
  code: string;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  /** The owner organization (the project's). */
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  material: string | null;

  @Column({ type: 'varchar', length: 8 })
  form: SampleForm;

  @Column({ type: 'numeric', precision: 14, scale: 4, nullable: true, transformer: quantityTransformer })
  quantity: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  unit: string | null;

  /** GHS hazard codes (GHS01 … GHS09). */
  @Column({ type: 'varchar', length: 5, array: true, default: () => "'{}'" })
  hazards: GhsCode[];

  @Column({ name: 'client_ref', type: 'varchar', length: 100, nullable: true })
  clientRef: string | null;

  @Column({ type: 'varchar', length: 10, default: 'expected' })
  state: SampleState;

  /** The state a hold returns to when released. */
  @Column({ name: 'held_from', type: 'varchar', length: 10, nullable: true })
  heldFrom: SampleState | null;

  @Column({ name: 'location_id', type: 'uuid', nullable: true })
  locationId: string | null;

  /** Who has it in hand (checked out to a tool or a bench). */
  @Column({ name: 'holder_id', type: 'uuid', nullable: true })
  holderId: string | null;

  /** Keep until; after that the disposal-due list names it. */
  @Column({ name: 'retention_until', type: 'date', nullable: true })
  retentionUntil: string | null;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt: Date;

  /** Sequence number of the last custody event (the head of the chain). */
  @Column({ name: 'last_event_seq', type: 'integer', default: 0 })
  lastEventSeq: number;

  @Column({ name: 'last_event_hash', type: 'char', length: 64, nullable: true, select: false })
  lastEventHash: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
