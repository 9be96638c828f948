import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const ACCESS_CLASSES = ['open', 'shared', 'closed'] as const;
export type AccessClass = (typeof ACCESS_CLASSES)[number];
export const EXPORT_CONTROL_CLASSES = ['not-applicable', 'listed', 'catch-all-review', 'undetermined'] as const;
export type ExportControl = (typeof EXPORT_CONTROL_CLASSES)[number];

/** Measurement or process data, one version of it; files hang off it and never change. */
@Entity({ name: 'datasets' })
@TenantOwned('organization_id')
export class Dataset {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Shared by every version of the dataset (the first version's id). */
  @Column({ name: 'series_id', type: 'uuid' })
  seriesId: string;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'previous_id', type: 'uuid', nullable: true })
  previousId: string | null;

  @Column({ name: 'correction_reason', type: 'text', nullable: true })
  correctionReason: string | null;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  /** The owner organization. */
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId: string | null;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 100 })
  technique: string;

  @Column({ name: 'equipment_id', type: 'uuid', nullable: true })
  equipmentId: string | null;

  @Column({ name: 'reservation_id', type: 'uuid', nullable: true })
  reservationId: string | null;

  @Column({ name: 'service_request_id', type: 'uuid', nullable: true })
  serviceRequestId: string | null;

  @Column({ name: 'operator_id', type: 'uuid', nullable: true })
  operatorId: string | null;

  @Column({ name: 'measured_at', type: 'timestamptz' })
  measuredAt: Date;

  /** Instrument parameters as recorded. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  parameters: Record<string, unknown>;

  @Column({ name: 'access_class', type: 'varchar', length: 8 })
  accessClass: AccessClass;

  @Column({ name: 'embargo_until', type: 'date', nullable: true })
  embargoUntil: string | null;

  @Column({ name: 'embargo_extended_at', type: 'timestamptz', nullable: true })
  embargoExtendedAt: Date | null;

  @Column({ name: 'embargo_extension_reason', type: 'text', nullable: true })
  embargoExtensionReason: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  license: string | null;

  @Column({ name: 'export_control', type: 'varchar', length: 20, default: 'undetermined' })
  exportControl: ExportControl;

  @Column({ name: 'export_control_by', type: 'uuid', nullable: true })
  exportControlBy: string | null;

  @Column({ name: 'export_control_at', type: 'timestamptz', nullable: true })
  exportControlAt: Date | null;

  @Column({ name: 'export_control_reason', type: 'text', nullable: true })
  exportControlReason: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
