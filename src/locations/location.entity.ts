import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const LOCATION_KINDS = ['room', 'cabinet', 'shelf', 'box', 'position', 'other'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

/** A place samples are kept: center › room › cabinet › shelf › box › position, to any depth. */
@Entity({ name: 'locations' })
@TenantOwned(null)
export class Location {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId: string | null;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  kind: LocationKind;

  /** How many samples it holds at most; null is unlimited. */
  @Column({ type: 'integer', nullable: true })
  capacity: number | null;

  /** Samples in it now (kept by the database as samples move). */
  @Column({ type: 'integer', default: 0, insert: false, update: false })
  occupancy: number;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
