import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { findScopedOrFail } from '../common/tenancy/tenant-scope';
import { EquipmentService } from '../equipment/equipment.service';
import { CancelSeriesDto, CreateSeriesDto, SeriesResultDto } from './dto/series.dto';
import { expandRecurrence, RecurrenceError } from './recurrence';
import { ReservationSeries } from './reservation-series.entity';
import { Reservation } from './reservation.entity';
import { ReservationsService } from './reservations.service';

/** Recurring bookings: each occurrence is booked on its own, so one clash does not sink the rest. */
@Injectable()
export class SeriesService {
  constructor(
    @InjectRepository(ReservationSeries) private readonly series: Repository<ReservationSeries>,
    @InjectRepository(Reservation) private readonly reservations: Repository<Reservation>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bookings: ReservationsService,
    private readonly equipment: EquipmentService,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: CreateSeriesDto): Promise<SeriesResultDto> {
    if (dto.kind === 'maintenance') throw AppError.badInput('kind', 'series are for bookings');
    const start = new Date(dto.start);
    const end = new Date(dto.end);
    if (end <= start) throw AppError.badInput('end', 'must be later than start');
    const tool = await this.equipment.get(actor, dto.equipmentId).catch(() => {
      throw AppError.badInput('equipmentId', 'no such equipment');
    });
    const timezone = (await this.centers.get(actor, tool.centerId)).timezone;
    let starts: Date[];
    try {
      starts = expandRecurrence(dto.rrule, start, timezone);
    } catch (error) {
      if (error instanceof RecurrenceError) throw AppError.badInput('rrule', error.message);
      throw error;
    }
    const booker = await this.bookings.resolveBooker(actor, dto.projectId!, dto.userId);
    const series = await this.dataSource.transaction((em) =>
      this.audit.insert(em, actor, ReservationSeries, 'reservation_series', { organizationId: booker.organizationId, equipmentId: tool.id, rrule: dto.rrule, createdBy: actor.userId }),
    );
    const duration = end.getTime() - start.getTime();
    const booked: Reservation[] = [];
    const conflicts: SeriesResultDto['conflicts'] = [];
    for (const occurrence of starts) {
      const occurrenceEnd = new Date(occurrence.getTime() + duration);
      try {
        booked.push(
          await this.bookings.book(actor, tool.id, { ...booker, start: occurrence, end: occurrenceEnd, mode: dto.mode ?? 'self', purpose: dto.purpose, plannedSamples: dto.plannedSamples, seriesId: series.id }, dto),
        );
      } catch (error) {
        if (!(error instanceof AppError) || (error.status !== 409 && error.status !== 422)) throw error;
        conflicts.push({ start: occurrence.toISOString(), end: occurrenceEnd.toISOString(), status: error.status, detail: error.detail });
      }
    }
    return { seriesId: series.id, booked, conflicts };
  }

  /** Cancels the active occurrences from a time on (default: now); earlier ones stay. */
  async cancelFrom(actor: Actor, id: string, dto: CancelSeriesDto): Promise<{ cancelled: number }> {
    await findScopedOrFail(this.series, actor, id, 'reservation series');
    const from = dto.from ? new Date(dto.from) : new Date();
    const occurrences = await this.reservations
      .createQueryBuilder('r')
      .where('r.series_id = :id AND r.start_at >= :from AND r.status IN (:...statuses)', { id, from, statuses: ['pending', 'confirmed'] })
      .getMany();
    for (const occurrence of occurrences) await this.bookings.transition(actor, occurrence.id, 'cancel', { reason: dto.reason });
    return { cancelled: occurrences.length };
  }
}
