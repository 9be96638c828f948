import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

/** A job written in the same transaction as the change that causes it. */
@Entity({ name: 'outbox' })
@TenantOwned(null)
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  queue: string;

  @Column({ name: 'job_name', type: 'varchar', length: 64 })
  jobName: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /** The request that caused the job, so it can be traced end to end. */
  @Column({ name: 'request_id', type: 'varchar', length: 100, nullable: true })
  requestId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
