import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { BookingMode } from '../reservations/booking-policy';

export type WaitlistStatus = 'waiting' | 'offered' | 'booked' | 'expired' | 'withdrawn';

@Entity({ name: 'waitlist_entries' })
@TenantOwned('organization_id')
export class WaitlistEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'equipment_id', type: 'uuid' })
  equipmentId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'varchar', length: 8, default: 'self' })
  mode: BookingMode;

  /** The window the user could use; any free `minutes` inside it will do. */
  @Column({ name: 'desired_start', type: 'timestamptz' })
  desiredStart: Date;

  @Column({ name: 'desired_end', type: 'timestamptz' })
  desiredEnd: Date;

  @Column({ type: 'integer' })
  minutes: number;

  @Column({ type: 'varchar', length: 10, default: 'waiting' })
  status: WaitlistStatus;

  @Column({ name: 'offered_start', type: 'timestamptz', nullable: true })
  offeredStart: Date | null;

  @Column({ name: 'offered_end', type: 'timestamptz', nullable: true })
  offeredEnd: Date | null;

  @Column({ name: 'offer_expires_at', type: 'timestamptz', nullable: true })
  offerExpiresAt: Date | null;

  @Column({ name: 'reservation_id', type: 'uuid', nullable: true })
  reservationId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
