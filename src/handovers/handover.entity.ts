import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const HANDOVER_STATES = ['queued', 'packaging', 'sending', 'delivered', 'registered', 'published', 'held', 'failed', 'rejected'] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];

/** One delivery of one dataset version to one target. */
@Entity({ name: 'handovers' })
@TenantOwned('organization_id')
export class Handover {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 10 })
  state: HandoverState;

  /** Why it waits for staff (its export-control classification). */
  @Column({ name: 'hold_reason', type: 'text', nullable: true })
  holdReason: string | null;

  /** The package's SHA-256: its idempotency key at the target. */
  @Column({ name: 'package_sha256', type: 'char', length: 64, nullable: true })
  packageSha256: string | null;

  @Column({ name: 'package_size', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  packageSize: number | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'remote_receipt_id', type: 'varchar', length: 200, nullable: true })
  remoteReceiptId: string | null;

  @Column({ name: 'remote_id', type: 'varchar', length: 200, nullable: true })
  remoteId: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
