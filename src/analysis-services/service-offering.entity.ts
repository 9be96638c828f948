import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { RateCategory } from '../projects/project.entity';

export const SERVICE_UNITS = ['sample', 'hour', 'measurement'] as const;
export type ServiceUnit = (typeof SERVICE_UNITS)[number];

/** Something a requester must state about each sample, e.g. "maximum 20 × 20 mm" for an SEM stage. */
export interface SampleRequirement {
  key: string;
  description: string;
}

/** An analysis service of a center's catalogue. Shared catalogue: every signed-in caller may browse it. */
@Entity({ name: 'services' })
@TenantOwned(null)
export class ServiceOffering {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ name: 'name_ja', type: 'varchar', length: 200 })
  nameJa: string;

  @Column({ name: 'name_en', type: 'varchar', length: 200 })
  nameEn: string;

  @Column({ type: 'varchar', length: 100 })
  technique: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The instruments that perform it. */
  @Column({ name: 'equipment_ids', type: 'uuid', array: true, default: () => "'{}'" })
  equipmentIds: string[];

  @Column({ type: 'varchar', length: 12 })
  unit: ServiceUnit;

  /** Integer yen per unit for each rate category. */
  @ApiProperty({ example: { academic: 8000, industry: 20000, venture: 12000 } })
  @Column({ type: 'jsonb' })
  prices: Record<RateCategory, number>;

  @Column({ name: 'turnaround_days', type: 'integer' })
  turnaroundDays: number;

  @Column({ name: 'sample_requirements', type: 'jsonb', default: () => "'[]'" })
  sampleRequirements: SampleRequirement[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
