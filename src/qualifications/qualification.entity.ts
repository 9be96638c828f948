import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const QUALIFICATION_LEVELS = ['user', 'supervised', 'trainer'] as const;
export type QualificationLevel = (typeof QUALIFICATION_LEVELS)[number];

/**
 * A user's permission to operate one tool. Owned by the user's organization at the time of the
 * grant, so a member sees only their organization's qualifications.
 */
@Entity({ name: 'qualifications' })
@TenantOwned('organization_id')
export class Qualification {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ name: 'equipment_id', type: 'uuid' })
  equipmentId: string;

  @Column({ type: 'varchar', length: 10 })
  level: QualificationLevel;

  @Column({ name: 'granted_by', type: 'uuid', nullable: true })
  grantedBy: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
