import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

export const CHARGE_KINDS = ['instrument_time', 'staff_time', 'no_show', 'late_cancellation', 'service', 'adjustment'] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];
export const CHARGE_SOURCES = ['reservation', 'service_request', 'adjustment', 'reissue'] as const;
export type ChargeSource = (typeof CHARGE_SOURCES)[number];

/** bigint yen come back from pg as strings; amounts fit a JS number. */
export const YEN = { to: (value: number | null) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/**
 * One billable fact, derived from an event (a completed booking, a no-show, a delivered service
 * request) and never typed by hand, except an adjustment, which keeps the original and records
 * the difference with a reason. Append-only: only the invoice link changes (database trigger).
 */
@Entity({ name: 'charges' })
@TenantOwned('organization_id')
export class Charge {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'center_id', type: 'uuid' })
  centerId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'equipment_id', type: 'uuid', nullable: true })
  equipmentId: string | null;

  @Column({ type: 'varchar', length: 20 })
  kind: ChargeKind;

  /** What the charge was derived from: a reservation, a service request, the adjusted charge, the re-issued charge. */
  @Column({ name: 'source_kind', type: 'varchar', length: 16 })
  sourceKind: ChargeSource;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId: string;

  /** Which charge of the source: 1 time, 2 staff time (reservations); the quote line position (services); 1, 2, … (adjustments). */
  @Column({ name: 'source_line', type: 'integer', default: 0 })
  sourceLine: number;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  /** Hours (two decimals) for time, the quoted quantity for services; as a decimal string. */
  @Column({ type: 'numeric', precision: 12, scale: 2 })
  quantity: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  unit: string | null;

  /** The minutes charged, for time. */
  @Column({ type: 'integer', nullable: true })
  minutes: number | null;

  /** Integer yen per unit (per hour for time). */
  @Column({ name: 'unit_price', type: 'bigint', nullable: true, transformer: YEN })
  unitPrice: number | null;

  /** Integer yen, before consumption tax; negative for a correction downwards. */
  @Column({ type: 'bigint', transformer: YEN })
  amount: number;

  /** Consumption tax rate in percent. */
  @Column({ name: 'tax_rate', type: 'smallint', default: 10 })
  taxRate: number;

  /** When it happened (the day printed, in the center's time zone); an invoice takes it once its period has ended. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'adjusts_charge_id', type: 'uuid', nullable: true })
  adjustsChargeId: string | null;

  /** Set on a copy made billable again after its invoice was credited. */
  @Column({ name: 'reissue_of_id', type: 'uuid', nullable: true })
  reissueOfId: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'invoice_id', type: 'uuid', nullable: true })
  invoiceId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;
}
