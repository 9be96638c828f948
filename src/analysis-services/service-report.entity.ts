import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { ReportDocument } from '../documents/document-types';

/**
 * One approved revision of a request's report. The content is frozen at approval (the database
 * refuses edits); the worker renders it to a PDF and fills in the file's key, size and hash.
 */
@Entity({ name: 'service_reports' })
@TenantOwned(null)
export class ServiceReport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column({ type: 'integer' })
  revision: number;

  /** `<request code>-R<revision>`. */
  @Column({ name: 'revision_id', type: 'varchar', length: 50 })
  revisionId: string;

  /** The report as approved, with instants as ISO strings (JSON). */
  @Column({ type: 'jsonb', select: false })
  content: ReportDocument;

  @Column({ name: 'approved_by', type: 'uuid' })
  approvedBy: string;

  @Column({ name: 'approved_at', type: 'timestamptz' })
  approvedAt: Date;

  @Column({ name: 'amends_id', type: 'uuid', nullable: true })
  amendsId: string | null;

  @Column({ name: 'amendment_reason', type: 'text', nullable: true })
  amendmentReason: string | null;

  @Column({ name: 'invalidated_at', type: 'timestamptz', nullable: true })
  invalidatedAt: Date | null;

  @Column({ name: 'invalidation_reason', type: 'text', nullable: true })
  invalidationReason: string | null;

  @Column({ name: 'storage_key', type: 'varchar', length: 300, nullable: true, select: false })
  storageKey: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  size: number | null;

  @Column({ name: 'rendered_at', type: 'timestamptz', nullable: true })
  renderedAt: Date | null;
}
