import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

/** Used time, kept apart from booked time: what billing charges. */
@Entity({ name: 'reservation_usages' })
@TenantOwned(null)
export class ReservationUsage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'reservation_id', type: 'uuid' })
  reservationId: string;

  @Column({ name: 'equipment_id', type: 'uuid' })
  equipmentId: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'checked_in_by', type: 'uuid', nullable: true })
  checkedInBy: string | null;

  @Column({ name: 'checked_out_by', type: 'uuid', nullable: true })
  checkedOutBy: string | null;
}
