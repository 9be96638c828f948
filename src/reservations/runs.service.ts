import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { AppError, FieldError } from '../common/errors/app-error';
import { findScopedOrFail } from '../common/tenancy/tenant-scope';
import { EquipmentService, LockedEquipment } from '../equipment/equipment.service';
import { BookingMode, checkBookingPolicy } from './booking-policy';
import { CreateRunDto } from './dto/run.dto';
import { Reservation } from './reservation.entity';
import { ReservationsService } from './reservations.service';
import { Run } from './run.entity';

const MINUTE = 60_000;
/** Rules that moving a step later can satisfy; any other refusal means the step cannot fit. */
const MOVABLE_RULES = new Set(['lead-time', 'bookable-hours', 'slot-granularity']);
const MAX_PLACEMENT_TRIES = 20_000;

export type RunStatus = 'pending' | 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

export interface RunView extends Run {
  status: RunStatus;
  steps: Reservation[];
}

/** A run's status follows from its steps. */
export function runStatus(steps: Pick<Reservation, 'status'>[]): RunStatus {
  const statuses = steps.map((step) => step.status);
  if (statuses.every((s) => s === 'cancelled' || s === 'rejected')) return 'cancelled';
  if (statuses.every((s) => s === 'completed' || s === 'cancelled' || s === 'rejected' || s === 'no_show')) return 'completed';
  if (statuses.some((s) => s === 'in_use' || s === 'completed')) return 'in_progress';
  if (statuses.some((s) => s === 'pending')) return 'pending';
  return 'scheduled';
}

interface Placement {
  equipment: LockedEquipment;
  start: Date;
  end: Date;
}

@Injectable()
export class RunsService {
  constructor(
    @InjectRepository(Run) private readonly runs: Repository<Run>,
    @InjectRepository(Reservation) private readonly reservations: Repository<Reservation>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bookings: ReservationsService,
    private readonly equipment: EquipmentService,
    private readonly audit: AuditService,
  ) {}

  async get(actor: Actor, id: string): Promise<RunView> {
    const run = await findScopedOrFail(this.runs, actor, id, 'run');
    const steps = await this.reservations.find({ where: { runId: id }, order: { runStep: 'ASC' } });
    return { ...run, status: runStatus(steps), steps };
  }

  /** Books every step in one transaction, or none. */
  async create(actor: Actor, dto: CreateRunDto): Promise<RunView> {
    const fixed = dto.earliestStart === undefined && dto.steps.every((step) => step.start && step.end && step.minutes === undefined && step.gapMinutes === undefined);
    const flexible = dto.earliestStart !== undefined && dto.steps.every((step) => step.minutes !== undefined && !step.start && !step.end);
    if (!fixed && !flexible) {
      throw new AppError('validation', 'Give every step start and end, or earliestStart and every step minutes (and gapMinutes)', [
        { field: dto.earliestStart === undefined ? 'steps' : 'earliestStart', message: 'mixes fixed times with earliest placement' },
      ]);
    }
    const tools = await Promise.all(
      dto.steps.map((step, i) =>
        this.equipment.get(actor, step.equipmentId).catch(() => {
          throw AppError.badInput(`steps[${i}].equipmentId`, 'no such equipment');
        }),
      ),
    );
    const booker = await this.bookings.resolveBooker(actor, dto.projectId, dto.userId);
    const mode: BookingMode = dto.mode ?? 'self';

    const runId = await this.dataSource.transaction(async (em) => {
      // Lock every tool of the run in one order, so two runs sharing tools cannot deadlock.
      const lockedById = new Map<string, LockedEquipment>();
      for (const id of [...new Set(tools.map((tool) => tool.id))].sort()) lockedById.set(id, await this.equipment.lockForBooking(em, id));
      const locked = tools.map((tool) => lockedById.get(tool.id)!);
      const placements = fixed ? this.fixedPlacements(dto, locked) : await this.earliestPlacements(em, dto, locked, mode);
      const run = await this.audit.insert(em, actor, Run, 'run', {
        organizationId: booker.organizationId,
        projectId: booker.projectId,
        userId: booker.userId,
        purpose: dto.purpose ?? null,
        createdBy: actor.userId,
      });
      for (const [i, placement] of placements.entries()) {
        const clash = await this.bookings.busyUntil(em, placement.equipment.id, placement.start, new Date(placement.end.getTime() + placement.equipment.policy.bufferMinutes * MINUTE));
        if (clash) throw AppError.conflict(`Step ${i + 1} (${placement.equipment.code}) overlaps a booking that ends at ${clash.toISOString()}`, `steps[${i}]`);
        await this.bookings
          .insertBooking(em, actor, placement.equipment, { ...booker, start: placement.start, end: placement.end, mode, purpose: dto.purpose, runId: run.id, runStep: i }, {})
          .catch((error: unknown) => {
            if (error instanceof AppError && error.errors) {
              throw new AppError(error.kind, `Step ${i + 1} (${placement.equipment.code}): ${error.detail}`, error.errors.map((e): FieldError => ({ field: `steps[${i}].${e.field}`, message: e.message })), error.extensions);
            }
            throw error;
          });
      }
      return run.id;
    });
    return this.get(actor, runId);
  }

  private fixedPlacements(dto: CreateRunDto, locked: LockedEquipment[]): Placement[] {
    return dto.steps.map((step, i) => {
      const start = new Date(step.start!);
      const end = new Date(step.end!);
      if (end <= start) throw AppError.badInput(`steps[${i}].end`, 'must be later than start');
      if (i > 0 && start < new Date(dto.steps[i - 1].end!)) throw AppError.badInput(`steps[${i}].start`, 'must not be before the previous step ends');
      return { equipment: locked[i], start, end };
    });
  }

  /**
   * Places each step at the earliest time after the previous step (plus its gap) where the
   * tool is free (with its buffer) and the time rules hold. Placing greedily in order gives the
   * earliest finish, since a later start never helps a later step.
   */
  private async earliestPlacements(em: EntityManager, dto: CreateRunDto, locked: LockedEquipment[], mode: BookingMode): Promise<Placement[]> {
    const placements: Placement[] = [];
    let notBefore = new Date(dto.earliestStart!);
    for (const [i, step] of dto.steps.entries()) {
      const tool = locked[i];
      const timezone = tool.centerTimezone;
      const slot = tool.policy.slotMinutes * MINUTE;
      const earliest = i === 0 ? notBefore : new Date(notBefore.getTime() + (step.gapMinutes ?? 0) * MINUTE);
      let start = new Date(Math.ceil(earliest.getTime() / slot) * slot);
      let placed: Placement | null = null;
      for (let tries = 0; tries < MAX_PLACEMENT_TRIES && !placed; tries++) {
        const end = new Date(start.getTime() + step.minutes! * MINUTE);
        const violations = checkBookingPolicy({
          start,
          end,
          now: new Date(),
          policy: tool.policy,
          timezone,
          equipmentStatus: tool.status,
          remoteCapable: tool.remoteCapable,
          requiresQualification: false,
          mode,
          hasQualification: true,
          organizationWeekHours: 0,
          userFutureReservations: 0,
        });
        const blocking = violations.find((v) => !MOVABLE_RULES.has(v.rule));
        if (blocking) {
          throw new AppError('policy-violation', `Step ${i + 1} (${tool.code}) cannot fit: ${blocking.message}`, [{ field: `steps[${i}]`, message: blocking.message }], { rules: [blocking] });
        }
        if (violations.length) {
          start = new Date(start.getTime() + slot);
          continue;
        }
        const busyUntil = await this.bookings.busyUntil(em, tool.id, start, new Date(end.getTime() + tool.policy.bufferMinutes * MINUTE));
        if (busyUntil) {
          start = new Date(Math.ceil(busyUntil.getTime() / slot) * slot);
          continue;
        }
        placed = { equipment: tool, start, end };
      }
      if (!placed) throw new AppError('policy-violation', `Step ${i + 1} (${tool.code}) cannot fit within the booking horizon`, [{ field: `steps[${i}]`, message: 'no free time found' }]);
      placements.push(placed);
      notBefore = placed.end;
    }
    return placements;
  }
}
