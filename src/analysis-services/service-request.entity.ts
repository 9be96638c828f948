import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { ServiceRequestStatus } from './service-request-lifecycle';

/** An organization's request for analysis of its samples, from submission to the signed report. */
@Entity({ name: 'service_requests' })
@TenantOwned('organization_id')
export class ServiceRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `<CENTER>-SR-<YY>-<seq>`, gapless per center and year. */
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'requester_id', type: 'uuid', nullable: true })
  requesterId: string | null;

  @Column({ type: 'varchar', length: 20 })
  status: ServiceRequestStatus;

  @Column({ name: 'sample_count', type: 'integer' })
  sampleCount: number;

  @Column({ name: 'sample_description', type: 'text' })
  sampleDescription: string;

  @Column({ type: 'date', nullable: true })
  deadline: string | null;

  /** Confidentiality notes and anything else the center should know. */
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'hazard_declaration', type: 'text', nullable: true })
  hazardDeclaration: string | null;

  @Column({ name: 'po_number', type: 'varchar', length: 100, nullable: true })
  poNumber: string | null;

  @Column({ name: 'accepted_by', type: 'uuid', nullable: true })
  acceptedBy: string | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ name: 'results_summary', type: 'text', nullable: true })
  resultsSummary: string | null;

  @Column({ name: 'result_dataset_ids', type: 'uuid', array: true, default: () => "'{}'" })
  resultDatasetIds: string[];

  /** Departures from the request or the method (a different sample count, a damaged sample…), printed in the report. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  deviations: string[];

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}

@Entity({ name: 'service_request_items' })
@TenantOwned(null)
export class ServiceRequestItem {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @PrimaryColumn({ type: 'integer' })
  position: number;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId: string;

  @Column({ type: 'integer' })
  quantity: number;
}

/** One line of the requester's timeline. */
@Entity({ name: 'service_request_status_changes' })
@TenantOwned(null)
export class ServiceRequestStatusChange {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column({ name: 'from_status', type: 'varchar', length: 20, nullable: true })
  fromStatus: ServiceRequestStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 20 })
  toStatus: ServiceRequestStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'varchar', length: 10, nullable: true })
  actorRole: string | null;

  @Column({ type: 'timestamptz', insert: false, update: false })
  at: Date;
}

@Entity({ name: 'service_request_samples' })
@TenantOwned(null)
export class ServiceRequestSample {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @PrimaryColumn({ name: 'sample_id', type: 'uuid' })
  sampleId: string;

  @Column({ name: 'received_by', type: 'uuid', nullable: true })
  receivedBy: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', insert: false, update: false })
  receivedAt: Date;
}
