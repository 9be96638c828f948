import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';
import type { RateCategory } from '../projects/project.entity';

export const EQUIPMENT_KINDS = ['process', 'analysis', 'line'] as const;
export type EquipmentKind = (typeof EQUIPMENT_KINDS)[number];
export const EQUIPMENT_STATUSES = ['available', 'maintenance', 'down', 'retired'] as const;
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number];

/** Integer yen per hour for each rate category. */
export type EquipmentRates = Record<RateCategory, number>;

/** What a completed booking is charged for: used time, booked time, or the greater of the two. */
export const CHARGE_FOR = ['used', 'booked', 'greater'] as const;
export type ChargeFor = (typeof CHARGE_FOR)[number];

/** Opening hours in the center's time zone: ISO weekdays (1 = Monday) and HH:MM bounds. */
export interface BookableHours {
  days: number[];
  start: string;
  end: string;
}

export interface BookingPolicy {
  slotMinutes: number;
  minMinutes: number;
  maxMinutes: number;
  /** Earliest start, counted from now. */
  leadMinutes: number;
  /** Latest start, counted from today. */
  horizonDays: number;
  /** Set-up and clean-down time added to each stored booking. */
  bufferMinutes: number;
  requiresApproval: boolean;
  /** Cancelling later than this before the start is a late cancellation. */
  cancellationHours: number;
  bookableHours?: BookableHours[];
  /** Long process steps (anneals, depositions) may run on through closed hours once started inside them. */
  allowCrossingClosedHours?: boolean;
  maxHoursPerOrganizationPerWeek?: number;
  maxFutureReservationsPerUser?: number;
  noShowGraceMinutes?: number;
}

/** Shared catalogue: every signed-in caller may browse all tools of the network. */
@Entity({ name: 'equipment' })
@TenantOwned(null)
export class Equipment {
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

  @Column({ type: 'varchar', length: 8 })
  kind: EquipmentKind;

  @Column({ type: 'varchar', length: 100 })
  category: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  location: string | null;

  @Column({ type: 'varchar', length: 12, default: 'available' })
  status: EquipmentStatus;

  @Column({ name: 'requires_qualification', type: 'boolean', default: true })
  requiresQualification: boolean;

  @Column({ name: 'remote_capable', type: 'boolean', default: false })
  remoteCapable: boolean;

  /** The tool's instrument id at the NIMS RDE platform, for the package invoice; null if it has none. */
  @Column({ name: 'rde_instrument_id', type: 'varchar', length: 100, nullable: true })
  rdeInstrumentId: string | null;

  /** Whether its datasets' packages also carry a MaiML (JIS K 0200) document. */
  @Column({ name: 'maiml_output', type: 'boolean', default: false })
  maimlOutput: boolean;

  @Column({ type: 'jsonb' })
  rates: EquipmentRates;

  @Column({ type: 'jsonb' })
  policy: BookingPolicy;

  /** Billing: what a completed booking is charged for (default `greater`: used or booked time, whichever is longer). */
  @Column({ name: 'charge_for', type: 'varchar', length: 8, default: 'greater' })
  chargeFor: ChargeFor;

  /** Share of the booked time charged for a no-show, in percent. */
  @Column({ name: 'no_show_charge_percent', type: 'smallint', default: 100 })
  noShowChargePercent: number;

  /** Share of the booked time charged for a cancellation inside the cancellation window, in percent. */
  @Column({ name: 'late_cancellation_charge_percent', type: 'smallint', default: 50 })
  lateCancellationChargePercent: number;

  /** Integer yen per hour of a staff operator's time in `assisted` bookings; null: not charged extra. */
  @Column({ name: 'staff_rates', type: 'jsonb', nullable: true })
  staffRates: EquipmentRates | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
