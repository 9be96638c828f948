import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { EquipmentStatus } from './equipment.entity';

/** Who changed a tool's status, when and why; listed at /equipment/:id/status-history. */
@Entity({ name: 'equipment_status_changes' })
@TenantOwned(null)
export class EquipmentStatusChange {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'equipment_id', type: 'uuid' })
  equipmentId: string;

  @Column({ name: 'from_status', type: 'varchar', length: 12, nullable: true })
  fromStatus: EquipmentStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 12 })
  toStatus: EquipmentStatus;

  @Column({ type: 'varchar', length: 1000 })
  reason: string;

  @Column({ name: 'changed_by', type: 'uuid', nullable: true })
  changedBy: string | null;

  @Column({ name: 'changed_at', type: 'timestamptz', insert: false, update: false })
  changedAt: Date;
}
