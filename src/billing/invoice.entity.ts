import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { DocumentIssuer } from '../documents/document-types';
import { YEN } from './charge.entity';
import type { TaxSummary } from '../documents/document-types';

export const INVOICE_KINDS = ['invoice', 'credit_note'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];
export const INVOICE_STATUSES = ['draft', 'issued', 'paid', 'credited', 'discarded'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Issuer and recipient as printed when the document was issued: a reprint never changes. */
export interface InvoiceSnapshot {
  issuer: DocumentIssuer;
  recipient: { organizationName: string; organizationNameJa: string | null; billingAddress: string | null };
  projects: Record<string, { code: string; name: string }>;
}

/**
 * An invoice (or a credit note) of one center to one organization for a period. A draft collects
 * the uninvoiced charges up to the period's end; issuing numbers it without gaps and freezes it (database
 * trigger): afterwards only payment or a credit note is recorded.
 */
@Entity({ name: 'invoices' })
@TenantOwned('organization_id')
export class Invoice {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 12 })
  kind: InvoiceKind;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** First day of the period, in the center's time zone. */
  @Column({ name: 'period_start', type: 'date' })
  periodStart: string;

  /** Last day of the period (inclusive). */
  @Column({ name: 'period_end', type: 'date' })
  periodEnd: string;

  @Column({ type: 'varchar', length: 10 })
  status: InvoiceStatus;

  /** `<CENTER>-<fiscal year>-<6 digits>`, gapless per center and fiscal year; null while a draft. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  number: string | null;

  @Column({ name: 'fiscal_year', type: 'integer', nullable: true })
  fiscalYear: number | null;

  @Column({ type: 'integer', nullable: true })
  sequence: number | null;

  /** Integer yen before tax. */
  @Column({ type: 'bigint', default: 0, transformer: YEN })
  subtotal: number;

  /** Consumption tax: per rate over the whole document, rounded down once. */
  @Column({ type: 'bigint', default: 0, transformer: YEN })
  tax: number;

  @Column({ type: 'bigint', default: 0, transformer: YEN })
  total: number;

  /** One entry per tax rate: `{ rate, base, tax }`. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  taxes: TaxSummary[];

  @Column({ name: 'line_count', type: 'integer', default: 0 })
  lineCount: number;

  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'jsonb', nullable: true, select: false })
  snapshot: InvoiceSnapshot | null;

  @Column({ name: 'built_at', type: 'timestamptz' })
  builtAt: Date;

  @Column({ name: 'built_by', type: 'uuid', nullable: true })
  builtBy: string | null;

  @Column({ name: 'issued_at', type: 'timestamptz', nullable: true })
  issuedAt: Date | null;

  @Column({ name: 'issued_by', type: 'uuid', nullable: true })
  issuedBy: string | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ name: 'paid_recorded_by', type: 'uuid', nullable: true })
  paidRecordedBy: string | null;

  @Column({ name: 'credited_at', type: 'timestamptz', nullable: true })
  creditedAt: Date | null;

  @Column({ name: 'discarded_at', type: 'timestamptz', nullable: true })
  discardedAt: Date | null;

  /** On a credit note: the invoice it corrects. */
  @Column({ name: 'credit_for_id', type: 'uuid', nullable: true })
  creditForId: string | null;

  @Column({ name: 'credit_reason', type: 'text', nullable: true })
  creditReason: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
