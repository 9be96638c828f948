import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const ORGANIZATION_KINDS = ['company', 'venture', 'academic', 'public', 'center'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

@Entity({ name: 'organizations' })
@TenantOwned('id')
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'name_ja', type: 'varchar', length: 200, nullable: true })
  nameJa: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: OrganizationKind;

  @Column({ name: 'billing_address', type: 'varchar', length: 500, nullable: true })
  billingAddress: string | null;

  /** Language of the organization's documents (quotes, invoices). */
  @Column({ type: 'varchar', length: 2, default: 'ja' })
  language: 'ja' | 'en';

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
