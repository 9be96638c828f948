import { ApiPropertyOptional } from '@nestjs/swagger';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const PROBLEM_URGENCIES = ['low', 'normal', 'high'] as const;
export type ProblemUrgency = (typeof PROBLEM_URGENCIES)[number];
export const PROBLEM_STATUSES = ['open', 'resolved'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/**
 * A problem reported on a tool; the history stays with the equipment. Everyone who can see the
 * tool sees its problems, but a member is not told who reported another organization's problem
 * (see `EquipmentProblemView`).
 */
@Entity({ name: 'equipment_problems' })
@TenantOwned(null)
export class EquipmentProblem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'equipment_id', type: 'uuid' })
  equipmentId: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'the reporting user; left out for members when another organization reported the problem' })
  @Column({ name: 'reported_by', type: 'uuid', nullable: true })
  reportedBy: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'the reporter’s organization (null for center staff and admins); left out like `reportedBy`' })
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ type: 'varchar', length: 4000 })
  description: string;

  @Column({ type: 'varchar', length: 8 })
  urgency: ProblemUrgency;

  @Column({ name: 'safety_hazard', type: 'boolean', default: false })
  safetyHazard: boolean;

  @Column({ type: 'varchar', length: 10, default: 'open' })
  status: ProblemStatus;

  /** Set by staff: the tool is `down` until this (and every other such) problem is resolved. */
  @Column({ name: 'forces_shutdown', type: 'boolean', default: false })
  forcesShutdown: boolean;

  @Column({ type: 'varchar', length: 4000, nullable: true })
  resolution: string | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}

/** A problem as one caller may see it: without the reporter when it is another organization's. */
export type EquipmentProblemView = Omit<EquipmentProblem, 'reportedBy' | 'organizationId'> & Partial<Pick<EquipmentProblem, 'reportedBy' | 'organizationId'>>;
