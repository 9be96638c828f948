import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const RATE_CATEGORIES = ['academic', 'industry', 'venture'] as const;
export type RateCategory = (typeof RATE_CATEGORIES)[number];

/** A billing account: usage is charged to a project at its rate category. */
@Entity({ name: 'projects' })
@TenantOwned('organization_id')
export class Project {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'rate_category', type: 'varchar', length: 8 })
  rateCategory: RateCategory;

  @Column({ name: 'po_number', type: 'varchar', length: 64, nullable: true })
  poNumber: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
