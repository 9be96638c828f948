import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../common/auth/actor';
import { TenantOwned } from '../common/tenancy/tenant-scope';

/** A credential for machines (instruments, scripts). Only the SHA-256 of the key is kept. */
@Entity({ name: 'api_keys' })
@TenantOwned('organization_id')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'key_hash', type: 'char', length: 64, select: false })
  keyHash: string;

  @Column({ type: 'varchar', length: 8 })
  role: Role;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ name: 'center_ids', type: 'uuid', array: true, default: () => "'{}'" })
  centerIds: string[];

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
