import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CentersService } from '../centers/centers.service';
import { Actor } from '../common/auth/actor';
import { AppError, FieldError } from '../common/errors/app-error';
import { EquipmentService } from '../equipment/equipment.service';
import { durationProblem, freeIntervals } from './availability';
import { AvailabilityDto, AvailabilityQueryDto, BusyPeriodDto, MAX_AVAILABILITY_DAYS } from './dto/availability.dto';
import { ACTIVE_STATUSES, ReservationStatus } from './reservation-lifecycle';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One active reservation: id, kind, status, organization, user, held from and until (epoch ms, buffer included). */
type HeldPeriod = [string, 'booking' | 'maintenance', ReservationStatus, string | null, string, number, number];

@Injectable()
export class AvailabilityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly equipment: EquipmentService,
    private readonly centers: CentersService,
  ) {}

  /**
   * Busy periods and free intervals of one tool in `[from, to)`. Busy periods are the stored
   * periods (clean-down buffer included) of active reservations, clipped to the window; who holds
   * another organization's period is never revealed. Free intervals follow the rules in
   * `./availability.ts`, and are empty while the equipment is not `available`.
   */
  async availability(actor: Actor, equipmentId: string, query: AvailabilityQueryDto, now = new Date()): Promise<AvailabilityDto> {
    const { from, to } = this.parseWindow(query);
    const equipment = await this.equipment.get(actor, equipmentId);
    const policy = equipment.policy;
    const duration = query.duration ?? policy.minMinutes;
    const problem = durationProblem(policy, duration);
    if (problem) throw AppError.badInput('duration', problem);
    // One range query through the GiST index on (equipment_id, period), run beside the center
    // look-up. It reaches `buffer` past `to`: a booking ending at `to` needs its clean-down clear
    // of what follows. The rows come back as one JSON array with epoch-millisecond bounds:
    // decoding hundreds of rows and timestamptz values field by field costs more than the query.
    const [center, [{ periods }]] = await Promise.all([
      this.centers.get(actor, equipment.centerId),
      this.dataSource.query(
        `SELECT coalesce(json_agg(json_build_array(
                  id, kind, status, organization_id, user_id,
                  (extract(epoch FROM lower(period)) * 1000)::int8, (extract(epoch FROM upper(period)) * 1000)::int8
                ) ORDER BY lower(period)), '[]') AS periods
           FROM reservations
          WHERE equipment_id = $1 AND period && tstzrange($2, $3) AND status = ANY($4)`,
        [equipment.id, from, new Date(to.getTime() + policy.bufferMinutes * MINUTE), ACTIVE_STATUSES],
      ) as Promise<{ periods: HeldPeriod[] }[]>,
    ]);

    const busy: BusyPeriodDto[] = periods
      .filter(([, , , , , start]) => start < to.getTime())
      .map(([id, kind, status, organizationId, userId, start, end]) => {
        const own = organizationId !== null && organizationId === actor.organizationId;
        return {
          start: new Date(Math.max(start, from.getTime())).toISOString(),
          end: new Date(Math.min(end, to.getTime())).toISOString(),
          kind,
          status,
          mine: own || (actor.userId !== null && userId === actor.userId),
          ...(actor.role !== 'member' || own ? { reservationId: id } : {}),
        };
      });

    const free =
      equipment.status === 'available'
        ? freeIntervals({
            from,
            to,
            now,
            timezone: center.timezone,
            policy,
            durationMinutes: duration,
            busy: periods.map(([, , , , , start, end]) => ({ start: new Date(start), end: new Date(end) })),
          })
        : [];

    return {
      equipmentId: equipment.id,
      timezone: center.timezone,
      from: from.toISOString(),
      to: to.toISOString(),
      busy,
      free: free.map((interval) => ({ start: interval.start.toISOString(), end: interval.end.toISOString() })),
    };
  }

  private parseWindow(query: AvailabilityQueryDto): { from: Date; to: Date } {
    const from = new Date(query.from);
    const to = new Date(query.to);
    const errors: FieldError[] = [];
    if (Number.isNaN(from.getTime())) errors.push({ field: 'from', message: 'is not a valid time' });
    if (Number.isNaN(to.getTime())) errors.push({ field: 'to', message: 'is not a valid time' });
    else if (!errors.length && to <= from) errors.push({ field: 'to', message: 'must be later than from' });
    else if (!errors.length && to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * DAY) errors.push({ field: 'to', message: `must be at most ${MAX_AVAILABILITY_DAYS} days after from` });
    if (errors.length) throw new AppError('validation', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    return { from, to };
  }
}
