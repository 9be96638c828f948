import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { BookingMode } from './booking-policy';
import type { ReservationStatus } from './reservation-lifecycle';

export interface PolicyOverride {
  rule: string;
  reason: string;
  by: string | null;
}

@Entity({ name: 'reservations' })
@TenantOwned('organization_id')
export class Reservation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'equipment_id', type: 'uuid' })
  equipmentId: string;

  /** `booking`, or `maintenance` (a staff window, no project). */
  @Column({ type: 'varchar', length: 12, default: 'booking' })
  kind: 'booking' | 'maintenance';

  /** Who uses the equipment (for maintenance: the staff member responsible). */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  mode: BookingMode | null;

  @Column({ type: 'varchar', length: 10 })
  status: ReservationStatus;

  @Column({ name: 'start_at', type: 'timestamptz' })
  start: Date;

  @Column({ name: 'end_at', type: 'timestamptz' })
  end: Date;

  /** Booked time plus the clean-down buffer, as stored for the exclusion constraint. */
  @Column({ type: 'tstzrange', select: false })
  period: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  purpose: string | null;

  @Column({ name: 'planned_samples', type: 'integer', nullable: true })
  plannedSamples: number | null;

  /** Cancelled inside the equipment's cancellation window: billing charges the booked time. */
  @Column({ name: 'late_cancellation', type: 'boolean', default: false })
  lateCancellation: boolean;

  @Column({ name: 'status_reason', type: 'varchar', length: 1000, nullable: true })
  statusReason: string | null;

  /** Policy rules staff overrode, each with its reason. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  overrides: PolicyOverride[];

  /** The run this booking is a step of, and its position in the run (0-based). */
  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  @Column({ name: 'run_step', type: 'integer', nullable: true })
  runStep: number | null;

  /** The recurring series this booking is an occurrence of. */
  @Column({ name: 'series_id', type: 'uuid', nullable: true })
  seriesId: string | null;

  /** The analysis service request this session of assisted work was done for (charged through the request, not by time). */
  @Column({ name: 'service_request_id', type: 'uuid', nullable: true })
  serviceRequestId: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
