import { ApiHideProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const CALENDAR_SCOPES = ['user', 'equipment'] as const;
export type CalendarScope = (typeof CALENDAR_SCOPES)[number];

/**
 * A secret iCalendar subscription: the owner's bookings (`user`) or one tool's schedule
 * (`equipment`). Only the SHA-256 of the token is kept; revoking it ends the feed at once.
 */
@Entity({ name: 'calendar_feeds' })
@TenantOwned('organization_id')
export class CalendarFeed {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ApiHideProperty()
  @Column({ name: 'token_hash', type: 'char', length: 64, select: false })
  tokenHash: string;

  @Column({ type: 'varchar', length: 10 })
  scope: CalendarScope;

  /** The owner, who created the feed. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** The owner's organization (none for staff and admins). */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ name: 'equipment_id', type: 'uuid', nullable: true })
  equipmentId: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
