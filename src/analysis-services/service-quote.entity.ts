import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { RateCategory } from '../projects/project.entity';

/** bigint columns hold whole yen; pg returns them as strings. */
export const YEN = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/** A quote as issued: never edited; quoting again supersedes it with the next revision. */
@Entity({ name: 'service_quotes' })
@TenantOwned(null)
export class ServiceQuote {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column({ type: 'integer' })
  revision: number;

  /** `<request code>-Q<revision>`. */
  @Column({ type: 'varchar', length: 50 })
  number: string;

  @Column({ name: 'rate_category', type: 'varchar', length: 10 })
  rateCategory: RateCategory;

  @Column({ name: 'tax_rate', type: 'smallint' })
  taxRate: number;

  @Column({ name: 'valid_until', type: 'date' })
  validUntil: string;

  @Column({ type: 'bigint', transformer: YEN })
  subtotal: number;

  @Column({ type: 'bigint', transformer: YEN })
  tax: number;

  @Column({ type: 'bigint', transformer: YEN })
  total: number;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'issued_by', type: 'uuid', nullable: true })
  issuedBy: string | null;

  @Column({ name: 'issued_at', type: 'timestamptz', insert: false, update: false })
  issuedAt: Date;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;
}

@Entity({ name: 'service_quote_lines' })
@TenantOwned(null)
export class ServiceQuoteLine {
  @PrimaryColumn({ name: 'quote_id', type: 'uuid' })
  quoteId: string;

  @PrimaryColumn({ type: 'integer' })
  position: number;

  /** The catalogue service the line prices; null for a manual line. */
  @Column({ name: 'service_id', type: 'uuid', nullable: true })
  serviceId: string | null;

  @Column({ type: 'varchar', length: 500 })
  description: string;

  /** numeric(12,2): pg returns a string such as "1.50", kept as written. */
  @Column({ type: 'numeric', precision: 12, scale: 2 })
  quantity: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  unit: string | null;

  @Column({ name: 'unit_price', type: 'bigint', transformer: YEN })
  unitPrice: number;

  @Column({ type: 'boolean', default: false })
  discount: boolean;

  /** Negative for a discount. */
  @Column({ type: 'bigint', transformer: YEN })
  amount: number;
}
