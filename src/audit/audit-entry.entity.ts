import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

@Entity({ name: 'audit_log' })
@TenantOwned(null)
export class AuditEntry {
  @PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  entity: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 64 })
  entityId: string;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_kind', type: 'varchar', length: 8 })
  actorKind: 'user' | 'api_key' | 'system';

  @Column({ name: 'actor_role', type: 'varchar', length: 8, nullable: true })
  actorRole: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 100, nullable: true })
  requestId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash: string | null;

  @Column({ type: 'char', length: 64 })
  hash: string;
}
