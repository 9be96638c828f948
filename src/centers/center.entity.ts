import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

@Entity({ name: 'centers' })
@TenantOwned(null)
export class Center {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** 2–8 upper-case letters; prefixes sample codes, e.g. `KNS`. */
  @Column({ type: 'varchar', length: 8 })
  code: string;

  @Column({ name: 'name_ja', type: 'varchar', length: 200 })
  nameJa: string;

  @Column({ name: 'name_en', type: 'varchar', length: 200 })
  nameEn: string;

  /** IANA time zone in which bookable hours and documents are shown. */
  @Column({ type: 'varchar', length: 64 })
  timezone: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  address: string | null;

  @Column({ name: 'contact_email', type: 'varchar', length: 254, nullable: true })
  contactEmail: string | null;

  /** Qualified-invoice issuer number: `T` + 13 digits. */
  @Column({ name: 'invoice_registration_number', type: 'varchar', length: 14, nullable: true })
  invoiceRegistrationNumber: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Embargo rule for datasets: this many years from the start of the fiscal year after the measurement. */
  @Column({ name: 'embargo_years', type: 'smallint', default: 2 })
  embargoYears: number;

  /** The month a fiscal year starts (April in Japan). */
  @Column({ name: 'fiscal_year_start_month', type: 'smallint', default: 4 })
  fiscalYearStartMonth: number;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
