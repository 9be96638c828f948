import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export type LabelStatus = 'unassigned' | 'active' | 'void';

/**
 * What a QR code carries: an identifier, never a credential. Pre-printed labels start
 * unassigned; a damaged one is voided and another bound, the sample keeps its code.
 */
@Entity({ name: 'labels' })
@TenantOwned(null)
export class Label {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  id: string;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  @Column({ type: 'varchar', length: 10, default: 'unassigned' })
  status: LabelStatus;

  @Column({ name: 'sample_id', type: 'uuid', nullable: true })
  sampleId: string | null;

  @Column({ name: 'location_id', type: 'uuid', nullable: true })
  locationId: string | null;

  @Column({ name: 'void_reason', type: 'varchar', length: 200, nullable: true })
  voidReason: string | null;

  @Column({ name: 'assigned_at', type: 'timestamptz', nullable: true })
  assignedAt: Date | null;

  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
