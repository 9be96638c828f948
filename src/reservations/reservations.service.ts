import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { Equipment } from '../equipment/equipment.entity';
import { EquipmentService, LockedEquipment } from '../equipment/equipment.service';
import { JobName, ReservationEventType } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';
import { ProjectsService } from '../projects/projects.service';
import { QualificationsService } from '../qualifications/qualifications.service';
import { UsersService } from '../users/users.service';
import { BookingMode, bookingWeek, checkBookingPolicy, RuleViolation } from './booking-policy';
import { CreateReservationDto, ReservationActionDto, ReservationQueryDto, UpdateReservationDto } from './dto/reservation.dto';
import { ACTIVE_STATUSES, allowedActions, ReservationAction, TRANSITIONS } from './reservation-lifecycle';
import { ReservationUsage } from './reservation-usage.entity';
import { PolicyOverride, Reservation } from './reservation.entity';

const MINUTE = 60_000;
/** How early before the booked start a user may check in. */
const EARLY_CHECK_IN_MINUTES = 30;
const DEFAULT_NO_SHOW_GRACE_MINUTES = 15;

/** The stored range: the booked time plus the clean-down buffer. */
function storedPeriod(start: Date, end: Date, bufferMinutes: number): string {
  return `[${start.toISOString()},${new Date(end.getTime() + bufferMinutes * MINUTE).toISOString()})`;
}

function isExclusionViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error as QueryFailedError & { driverError: { code?: string } }).driverError?.code === '23P01';
}

/** One booking to insert: who, for which project, when, and what it belongs to. */
export interface BookingRequest {
  userId: string;
  organizationId: string;
  projectId: string;
  start: Date;
  end: Date;
  mode: BookingMode;
  purpose?: string | null;
  plannedSamples?: number | null;
  runId?: string;
  runStep?: number;
  seriesId?: string;
  /** Assisted work for an analysis service request (staff only). */
  serviceRequestId?: string;
}

@Injectable()
export class ReservationsService {
  constructor(
    @InjectRepository(Reservation) private readonly reservations: Repository<Reservation>,
    @InjectRepository(ReservationUsage) private readonly usageRecords: Repository<ReservationUsage>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly equipment: EquipmentService,
    private readonly projects: ProjectsService,
    private readonly users: UsersService,
    private readonly qualifications: QualificationsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: ReservationQueryDto): Promise<Page<Reservation>> {
    const qb = scopedQuery(this.reservations, 'r', actor);
    if (query.equipmentId) qb.andWhere('r.equipment_id = :equipmentId', { equipmentId: query.equipmentId });
    if (query.userId) qb.andWhere('r.user_id = :userId', { userId: query.userId });
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.mode) qb.andWhere('r.mode = :mode', { mode: query.mode });
    if (query.kind) qb.andWhere('r.kind = :kind', { kind: query.kind });
    if (query.from) qb.andWhere('r.end_at > :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('r.start_at < :to', { to: new Date(query.to) });
    return this.cursors.paginate(qb, [{ column: 'r.start_at', value: (r) => r.start.toISOString() }, { column: 'r.id', value: (r) => r.id }], query);
  }

  get(actor: Actor, id: string): Promise<Reservation> {
    return findScopedOrFail(this.reservations, actor, id, 'reservation');
  }

  async create(actor: Actor, dto: CreateReservationDto): Promise<Reservation> {
    const { start, end } = this.parsePeriod(dto.start, dto.end);
    if (dto.kind === 'maintenance') {
      const equipment = await this.equipment.get(actor, dto.equipmentId).catch(() => {
        throw AppError.badInput('equipmentId', 'no such equipment');
      });
      return this.createMaintenance(actor, dto, equipment, start, end);
    }
    const booker = await this.resolveBooker(actor, dto.projectId!, dto.userId);
    const mode: BookingMode = dto.mode ?? 'self';
    if (dto.serviceRequestId !== undefined) {
      if (actor.role === 'member') throw AppError.forbidden('Only staff record work for a service request');
      if (mode !== 'assisted') throw AppError.badInput('mode', "must be 'assisted' for work on a service request");
    }
    return this.book(actor, dto.equipmentId, { ...booker, start, end, mode, purpose: dto.purpose, plannedSamples: dto.plannedSamples, serviceRequestId: dto.serviceRequestId }, dto);
  }

  /**
   * Books one slot in its own transaction under the equipment lock; an overlap is a 409 naming
   * it. Equipment is visible to every caller, so the lock is also the lookup: unknown equipment
   * is a 400 naming `equipmentId`.
   */
  book(actor: Actor, equipmentId: string, booking: BookingRequest, options: { force?: boolean; reason?: string }): Promise<Reservation> {
    return this.withConflictAnswer(actor, equipmentId, booking.start, booking.end, () =>
      this.dataSource.transaction(async (em) => {
        const locked = await this.equipment.lockForBooking(em, equipmentId).catch((error: unknown) => {
          throw error instanceof AppError && error.kind === 'not-found' ? AppError.badInput('equipmentId', 'no such equipment') : error;
        });
        return this.insertBooking(em, actor, locked, booking, options);
      }),
    );
  }

  /**
   * Who a booking is for and who pays: the project (visible to the caller and active) and the
   * booker (the caller, or for staff someone else) who must belong to the project's organization.
   */
  async resolveBooker(actor: Actor, projectId: string, userId?: string): Promise<{ userId: string; organizationId: string; projectId: string }> {
    const project = await this.projects.get(actor, projectId).catch(() => {
      throw AppError.badInput('projectId', 'no such project');
    });
    if (!project.active) throw AppError.badInput('projectId', 'the project is not active');
    const bookerId = userId ?? actor.userId;
    if (!bookerId) throw AppError.badInput('userId', 'is required when an API key books');
    if (bookerId !== actor.userId && actor.role === 'member') throw AppError.forbidden('Only staff may book for someone else');
    // Members book only for themselves (checked above), so the one-query principal lookup
    // reveals nothing a member could not see; staff see every user anyway. Booking for oneself
    // needs no lookup: a signed-in user's principal was loaded (and found active) by the auth guard.
    const booker = actor.kind === 'user' && bookerId === actor.userId ? { role: actor.role, organizationId: actor.organizationId, active: true } : await this.users.findPrincipal(bookerId);
    if (!booker || (actor.role === 'member' && booker.organizationId !== actor.organizationId)) throw AppError.badInput('userId', 'no such user');
    if (!booker.active) throw AppError.badInput('userId', 'the user is disabled');
    if (booker.role === 'member' && booker.organizationId !== project.organizationId) {
      throw AppError.badInput('projectId', 'the project belongs to another organization than the user');
    }
    return { userId: bookerId, organizationId: project.organizationId, projectId: project.id };
  }

  /**
   * Inserts one booking inside the caller's transaction, after the caller locked the equipment
   * row: policy chain, approval status, audit entry and event.
   */
  async insertBooking(
    em: EntityManager,
    actor: Actor,
    locked: LockedEquipment,
    booking: BookingRequest,
    options: { force?: boolean; reason?: string },
  ): Promise<Reservation> {
    const staff = canManageCenter(actor, locked.centerId);
    const overrides = await this.enforcePolicy(em, actor, locked, booking, options, staff);
    const status = locked.policy.requiresApproval && !staff ? 'pending' : 'confirmed';
    const reservation = await this.audit.insert(em, actor, Reservation, 'reservation', {
      equipmentId: locked.id,
      kind: 'booking',
      userId: booking.userId,
      organizationId: booking.organizationId,
      projectId: booking.projectId,
      mode: booking.mode,
      status,
      start: booking.start,
      end: booking.end,
      period: storedPeriod(booking.start, booking.end, locked.policy.bufferMinutes),
      purpose: booking.purpose ?? null,
      plannedSamples: booking.plannedSamples ?? null,
      overrides,
      runId: booking.runId ?? null,
      runStep: booking.runStep ?? null,
      seriesId: booking.seriesId ?? null,
      serviceRequestId: booking.serviceRequestId ?? null,
      createdBy: actor.userId,
    });
    await this.emit(em, actor, status === 'confirmed' ? 'reservation.confirmed' : 'reservation.created', reservation.id);
    return reservation;
  }

  /**
   * The end of the last active reservation (with its buffer) overlapping [start, end) on the
   * equipment, or null if the time is free. Reliable inside a transaction holding the
   * equipment lock, since every booking of the equipment takes that lock first.
   */
  async busyUntil(em: EntityManager, equipmentId: string, start: Date, end: Date): Promise<Date | null> {
    const [row] = (await em.query(
      `SELECT max(upper(period)) AS until FROM reservations WHERE equipment_id = $1 AND status = ANY($2) AND period && tstzrange($3, $4)`,
      [equipmentId, ACTIVE_STATUSES, start, end],
    )) as { until: Date | null }[];
    return row?.until ? new Date(row.until) : null;
  }

  /** Moves or resizes a booking in one transaction: if the new slot conflicts, the old one stays. */
  async update(actor: Actor, id: string, dto: UpdateReservationDto): Promise<Reservation> {
    const current = await this.get(actor, id);
    if (current.status === 'in_use') return this.extend(actor, current, dto);
    if (!['pending', 'confirmed'].includes(current.status)) {
      throw new AppError('invalid-transition', `A ${current.status} reservation cannot be changed`, [{ field: 'status', message: `is ${current.status}` }]);
    }
    const { start, end } = this.parsePeriod(dto.start ?? current.start.toISOString(), dto.end ?? current.end.toISOString());
    const equipment = await this.equipment.get(actor, current.equipmentId);
    const staff = canManageCenter(actor, equipment.centerId);
    this.assertOwnerOrStaff(actor, current, staff);
    return this.withConflictAnswer(actor, equipment.id, start, end, () =>
      this.dataSource.transaction(async (em) => {
        const locked = await this.equipment.lockForBooking(em, equipment.id);
        const overrides =
          current.kind === 'maintenance'
            ? current.overrides
            : [
                ...current.overrides,
                ...(await this.enforcePolicy(em, actor, locked, { start, end, mode: current.mode!, userId: current.userId, organizationId: current.organizationId!, excludeId: id }, dto, staff)),
              ];
        const moved = await this.audit.update(
          em,
          actor,
          Reservation,
          'reservation',
          id,
          { start, end, period: storedPeriod(start, end, locked.policy.bufferMinutes), overrides, ...(dto.purpose !== undefined ? { purpose: dto.purpose } : {}) },
          { action: 'move' },
        );
        await this.emit(em, actor, 'reservation.moved', id);
        return moved;
      }),
    );
  }

  /**
   * A session running over: only the end moves, and never into the next booking (the
   * exclusion constraint answers 409 naming it).
   */
  private async extend(actor: Actor, current: Reservation, dto: UpdateReservationDto): Promise<Reservation> {
    if (dto.start !== undefined && new Date(dto.start).getTime() !== current.start.getTime()) {
      throw new AppError('invalid-transition', 'A reservation in use can only be extended or shortened at its end', [{ field: 'start', message: 'cannot change while in use' }]);
    }
    if (!dto.end) throw AppError.badInput('end', 'is required to extend a session in use');
    const { start, end } = this.parsePeriod(current.start.toISOString(), dto.end);
    if (end.getTime() <= Date.now()) throw AppError.badInput('end', 'must be in the future for a session in use');
    const equipment = await this.equipment.get(actor, current.equipmentId);
    this.assertOwnerOrStaff(actor, current, canManageCenter(actor, equipment.centerId));
    return this.withConflictAnswer(actor, equipment.id, new Date(current.end.getTime()), end, () =>
      this.dataSource.transaction(async (em) => {
        const locked = await this.equipment.lockForBooking(em, equipment.id);
        const extended = await this.audit.update(em, actor, Reservation, 'reservation', current.id, { end, period: storedPeriod(start, end, locked.policy.bufferMinutes) }, { action: 'extend' });
        await this.emit(em, actor, 'reservation.moved', current.id);
        return extended;
      }),
    );
  }

  /** One lifecycle step; anything the current status does not allow is a 422 naming what is allowed. */
  async transition(actor: Actor, id: string, action: ReservationAction, dto: ReservationActionDto): Promise<Reservation> {
    const current = await this.get(actor, id);
    const step = TRANSITIONS[action];
    const equipment = await this.equipment.get(actor, current.equipmentId);
    const staff = canManageCenter(actor, equipment.centerId);
    if (step.staffOnly && !staff) throw AppError.forbidden(`Only staff of the center may ${action} a reservation`);
    this.assertOwnerOrStaff(actor, current, staff);
    if (action === 'reject' && !dto.reason) throw AppError.badInput('reason', 'is required to reject');

    return this.dataSource.transaction(async (em) => {
      const locked = await em.findOne(Reservation, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw AppError.notFound('reservation', id);
      if (!(step.from as readonly string[]).includes(locked.status)) {
        const allowed = allowedActions(locked.status);
        throw new AppError(
          'invalid-transition',
          `Cannot ${action} a ${locked.status} reservation; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
          [{ field: 'status', message: `is ${locked.status}` }],
          { currentStatus: locked.status, allowedActions: allowed },
        );
      }
      const now = new Date();
      const changes: Partial<Reservation> = { status: step.to, statusReason: dto.reason ?? null };
      if (action === 'cancel') {
        changes.lateCancellation = locked.start.getTime() - now.getTime() < equipment.policy.cancellationHours * 60 * MINUTE;
      }
      if (action === 'check-in') await this.checkIn(em, actor, locked, equipment, now);
      if (action === 'check-out') await this.checkOut(em, actor, locked, now);
      if (action === 'no-show' && now < locked.start) {
        throw new AppError('invalid-transition', 'A reservation can be marked a no-show only after its start', [{ field: 'status', message: 'has not started yet' }]);
      }
      const updated = await this.audit.update(em, actor, Reservation, 'reservation', id, changes, { action: action.replace('-', '_') });
      const events: Record<ReservationAction, ReservationEventType> = {
        approve: 'reservation.confirmed',
        reject: 'reservation.rejected',
        cancel: 'reservation.cancelled',
        'check-in': 'reservation.checked_in',
        'check-out': 'reservation.completed',
        'no-show': 'reservation.no_show',
      };
      await this.emit(em, actor, events[action], id);
      return updated;
    });
  }

  /**
   * Marks as no-shows the confirmed bookings without a check-in whose start plus the
   * equipment's grace period (default 15 minutes) has passed. Returns how many it marked.
   */
  async markNoShows(actor: Actor, now: Date): Promise<number> {
    const due = (await this.dataSource.query(
      `SELECT r.id FROM reservations r JOIN equipment e ON e.id = r.equipment_id
        WHERE r.status = 'confirmed' AND r.kind = 'booking'
          AND r.start_at + make_interval(mins => coalesce((e.policy->>'noShowGraceMinutes')::int, $2)) <= $1
          AND NOT EXISTS (SELECT 1 FROM reservation_usages u WHERE u.reservation_id = r.id)
        ORDER BY r.start_at LIMIT 500`,
      [now, DEFAULT_NO_SHOW_GRACE_MINUTES],
    )) as { id: string }[];
    let marked = 0;
    for (const { id } of due) {
      const changed = await this.dataSource.transaction(async (em) => {
        const locked = await em.findOne(Reservation, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (locked?.status !== 'confirmed') return false;
        await this.audit.update(em, actor, Reservation, 'reservation', id, { status: 'no_show', statusReason: 'no check-in within the grace period' }, { action: 'no_show' });
        await this.emit(em, actor, 'reservation.no_show', id);
        return true;
      });
      if (changed) marked++;
    }
    return marked;
  }

  /** The usage records of a reservation: the time actually used. */
  /** The sessions of work recorded for an analysis service request, in time order, with their used time. */
  async forServiceRequest(serviceRequestId: string): Promise<(Reservation & { usages: ReservationUsage[] })[]> {
    const reservations = await this.reservations.find({ where: { serviceRequestId }, order: { start: 'ASC' } });
    const usages = reservations.length ? await this.usageRecords.find({ where: { reservationId: In(reservations.map((r) => r.id)) }, order: { startedAt: 'ASC' } }) : [];
    return reservations.map((r) => ({ ...r, usages: usages.filter((u) => u.reservationId === r.id) }));
  }

  usages(actor: Actor, id: string): Promise<ReservationUsage[]> {
    return this.get(actor, id).then(() => this.usageRecords.find({ where: { reservationId: id }, order: { startedAt: 'ASC' } }));
  }

  private async checkIn(em: EntityManager, actor: Actor, reservation: Reservation, equipment: Equipment, now: Date): Promise<void> {
    if (now.getTime() < reservation.start.getTime() - EARLY_CHECK_IN_MINUTES * MINUTE) {
      throw new AppError('invalid-transition', `Check-in opens ${EARLY_CHECK_IN_MINUTES} minutes before the start`, [{ field: 'status', message: 'too early to check in' }]);
    }
    if (now >= reservation.end) throw new AppError('invalid-transition', 'The booked time is over', [{ field: 'status', message: 'too late to check in' }]);
    // At most one open usage per equipment: the partial unique index refuses a second one.
    await em.insert(ReservationUsage, { reservationId: reservation.id, equipmentId: equipment.id, startedAt: now, checkedInBy: actor.userId });
  }

  private async checkOut(em: EntityManager, actor: Actor, reservation: Reservation, now: Date): Promise<void> {
    await em.query('UPDATE reservation_usages SET ended_at = $2, checked_out_by = $3 WHERE reservation_id = $1 AND ended_at IS NULL', [reservation.id, now, actor.userId]);
  }

  /**
   * A maintenance window. Over existing bookings it answers 409 listing them; with `force` and
   * a reason, staff cancel those bookings (not billed, each owner notified through an event)
   * and create the window in the same transaction — never a silent drop.
   */
  private async createMaintenance(actor: Actor, dto: CreateReservationDto, equipment: Equipment, start: Date, end: Date): Promise<Reservation> {
    if (!canManageCenter(actor, equipment.centerId)) throw AppError.forbidden('Only staff of the center may plan maintenance');
    if (dto.projectId) throw AppError.badInput('projectId', 'maintenance windows have no project');
    if (!actor.userId) throw AppError.badInput('userId', 'maintenance needs a responsible staff user');
    if (dto.force && !dto.reason) throw AppError.badInput('reason', 'is required to cancel bookings for maintenance');
    return this.withConflictAnswer(actor, equipment.id, start, end, () =>
      this.dataSource.transaction(async (em) => {
        await this.equipment.lockForBooking(em, equipment.id);
        const colliding = (await em.query(
          `SELECT id, start_at, end_at, kind FROM reservations
            WHERE equipment_id = $1 AND status = ANY($2) AND period && tstzrange($3, $4) ORDER BY start_at FOR UPDATE`,
          [equipment.id, ACTIVE_STATUSES, start, end],
        )) as { id: string; start_at: Date; end_at: Date; kind: string }[];
        const bookings = colliding.filter((row) => row.kind === 'booking');
        if (bookings.length && !dto.force) {
          throw AppError.conflict(`The window collides with ${bookings.length} booking(s); repeat with force and a reason to cancel them`, 'start', {
            conflicts: bookings.map((row) => ({ reservationId: row.id, start: row.start_at.toISOString(), end: row.end_at.toISOString() })),
          });
        }
        for (const booking of bookings) {
          await this.audit.update(
            em,
            actor,
            Reservation,
            'reservation',
            booking.id,
            { status: 'cancelled', statusReason: `maintenance: ${dto.reason}`, lateCancellation: false },
            { action: 'cancel' },
          );
          await this.emit(em, actor, 'reservation.cancelled', booking.id);
        }
        return this.audit.insert(em, actor, Reservation, 'reservation', {
          equipmentId: equipment.id,
          kind: 'maintenance',
          userId: actor.userId!,
          organizationId: null,
          projectId: null,
          mode: null,
          status: 'confirmed',
          start,
          end,
          period: storedPeriod(start, end, 0),
          purpose: dto.purpose ?? dto.reason ?? 'maintenance',
          statusReason: dto.reason ?? null,
          createdBy: actor.userId,
        });
      }),
    );
  }

  /**
   * Runs the policy chain on facts read under the equipment lock. Blocking rules always refuse;
   * overridable ones refuse unless staff pass `force` with a reason, which is recorded.
   */
  private async enforcePolicy(
    em: EntityManager,
    actor: Actor,
    equipment: LockedEquipment,
    booking: { start: Date; end: Date; mode: BookingMode; userId: string; organizationId: string; excludeId?: string },
    dto: { force?: boolean; reason?: string },
    staff: boolean,
  ): Promise<PolicyOverride[]> {
    const timezone = equipment.centerTimezone;
    const week = bookingWeek(booking.start, timezone);
    const exclude = booking.excludeId ?? '00000000-0000-0000-0000-000000000000';
    const [counts] = (await em.query(
      `SELECT
         coalesce(sum(extract(epoch FROM least(end_at, $4) - greatest(start_at, $3)) / 3600) FILTER (WHERE organization_id = $2 AND start_at < $4 AND end_at > $3), 0)::float AS week_hours,
         count(*) FILTER (WHERE user_id = $5 AND start_at > now())::int AS user_future
       FROM reservations
       WHERE equipment_id = $1 AND kind = 'booking' AND status = ANY($6) AND id <> $7`,
      [equipment.id, booking.organizationId, week.from, week.to, booking.userId, ACTIVE_STATUSES, exclude],
    )) as { week_hours: number; user_future: number }[];
    const qualification = booking.mode === 'self' && equipment.requiresQualification ? await this.qualifications.findValid(booking.userId, equipment.id, booking.start, em) : null;

    const violations = checkBookingPolicy({
      start: booking.start,
      end: booking.end,
      now: new Date(),
      policy: equipment.policy,
      timezone,
      equipmentStatus: equipment.status,
      remoteCapable: equipment.remoteCapable,
      requiresQualification: equipment.requiresQualification,
      mode: booking.mode,
      hasQualification: qualification !== null,
      organizationWeekHours: counts.week_hours,
      userFutureReservations: counts.user_future,
    });
    const blocking = violations.filter((v) => !v.overridable);
    const overridable = violations.filter((v) => v.overridable);
    const mayOverride = staff && dto.force === true && !!dto.reason;
    if (blocking.length || (overridable.length && !mayOverride)) throw this.policyError(blocking.length ? blocking : overridable, staff);
    return overridable.map((v) => ({ rule: v.rule, reason: dto.reason!, by: actor.userId }));
  }

  private policyError(violations: RuleViolation[], staff: boolean): AppError {
    const hint = staff && violations.every((v) => v.overridable) ? ' (staff may book anyway with force and a reason)' : '';
    return new AppError(
      'policy-violation',
      violations.map((v) => `${v.rule}: ${v.message}`).join('; ') + hint,
      violations.map((v) => ({ field: v.rule, message: v.message })),
      { rules: violations },
    );
  }

  /**
   * Runs a write that may hit the no-overlap constraint and turns a hit into a 409 naming the
   * clashing period. The clash is read after the rollback; its owner is named only to callers
   * who may see that reservation.
   */
  private async withConflictAnswer<T>(actor: Actor, equipmentId: string, start: Date, end: Date, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isExclusionViolation(error)) throw error;
      const clashes = (await this.dataSource.query(
        `SELECT id, organization_id, start_at, end_at, upper(period) AS blocked_until FROM reservations
          WHERE equipment_id = $1 AND status = ANY($2) AND period && tstzrange($3, $4) ORDER BY start_at LIMIT 5`,
        [equipmentId, ACTIVE_STATUSES, start, end],
      )) as { id: string; organization_id: string | null; start_at: Date; end_at: Date; blocked_until: Date }[];
      const conflicts = clashes.map((clash) => ({
        start: clash.start_at.toISOString(),
        end: clash.end_at.toISOString(),
        blockedUntil: new Date(clash.blocked_until).toISOString(),
        ...(actor.role !== 'member' || clash.organization_id === actor.organizationId ? { reservationId: clash.id } : {}),
      }));
      const first = conflicts[0];
      const detail = first
        ? `The equipment is already booked from ${first.start} to ${first.end}${first.blockedUntil !== first.end ? ` (clean-down until ${first.blockedUntil})` : ''}`
        : 'The equipment is already booked for an overlapping period';
      throw AppError.conflict(detail, 'start', { conflicts });
    }
  }

  private parsePeriod(startText: string, endText: string): { start: Date; end: Date } {
    const start = new Date(startText);
    const end = new Date(endText);
    if (Number.isNaN(start.getTime())) throw AppError.badInput('start', 'is not a valid time');
    if (Number.isNaN(end.getTime())) throw AppError.badInput('end', 'is not a valid time');
    if (end <= start) throw AppError.badInput('end', 'must be later than start');
    return { start, end };
  }

  private assertOwnerOrStaff(actor: Actor, reservation: Reservation, staff: boolean): void {
    if (staff || actor.role === 'admin') return;
    // Members reach here only for their own organization's reservations (tenancy); within it,
    // a booking is changed by its user.
    if (actor.userId !== reservation.userId) throw AppError.forbidden('Only the booker or staff may change this reservation');
  }

  private emit(em: EntityManager, actor: Actor, event: ReservationEventType, reservationId: string) {
    return this.outbox.add(em, JobName.ReservationEvent, { event, reservationId }, actor.requestId);
  }

  /**
   * Reservations overlapping `from`–`to` of one user or one equipment, by start time, for
   * calendar feeds. Not scoped to a caller: the feed decides what its owner may see of each row.
   */
  listForCalendar(filter: {
    userId?: string;
    equipmentId?: string;
    kinds: Reservation['kind'][];
    statuses: Reservation['status'][];
    from: Date;
    to: Date;
    limit: number;
  }): Promise<Reservation[]> {
    if (!filter.userId && !filter.equipmentId) throw new Error('listForCalendar needs a userId or an equipmentId');
    const qb = this.reservations
      .createQueryBuilder('r')
      .where('r.kind IN (:...kinds)', { kinds: filter.kinds })
      .andWhere('r.status IN (:...statuses)', { statuses: filter.statuses })
      .andWhere('r.start_at < :to AND r.end_at > :from', { from: filter.from, to: filter.to });
    if (filter.userId) qb.andWhere('r.user_id = :userId', { userId: filter.userId });
    if (filter.equipmentId) qb.andWhere('r.equipment_id = :equipmentId', { equipmentId: filter.equipmentId });
    return qb.orderBy('r.start_at', 'ASC').addOrderBy('r.id', 'ASC').take(filter.limit).getMany();
  }
}
