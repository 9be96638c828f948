import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter, SYSTEM_ACTOR } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { EquipmentService } from '../equipment/equipment.service';
import { JobName } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';
import { Reservation } from '../reservations/reservation.entity';
import { ReservationsService } from '../reservations/reservations.service';
import { JoinWaitlistDto, WaitlistQueryDto } from './dto/waitlist.dto';
import { WaitlistEntry } from './waitlist-entry.entity';

const MINUTE = 60_000;
/** How long an offer stays open before the next person in line gets it. */
export const OFFER_MINUTES = 60;

@Injectable()
export class WaitlistService {
  constructor(
    @InjectRepository(WaitlistEntry) private readonly entries: Repository<WaitlistEntry>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reservations: ReservationsService,
    private readonly equipment: EquipmentService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: WaitlistQueryDto): Promise<Page<WaitlistEntry>> {
    const qb = scopedQuery(this.entries, 'w', actor);
    if (query.equipmentId) qb.andWhere('w.equipment_id = :equipmentId', { equipmentId: query.equipmentId });
    if (query.status) qb.andWhere('w.status = :status', { status: query.status });
    return this.cursors.paginate(qb, [{ column: 'w.created_at', value: (w) => w.createdAt.toISOString() }, { column: 'w.id', value: (w) => w.id }], query);
  }

  get(actor: Actor, id: string): Promise<WaitlistEntry> {
    return findScopedOrFail(this.entries, actor, id, 'waitlist entry');
  }

  async join(actor: Actor, dto: JoinWaitlistDto): Promise<WaitlistEntry> {
    const start = new Date(dto.start);
    const end = new Date(dto.end);
    if (end <= start) throw AppError.badInput('end', 'must be later than start');
    if (end.getTime() <= Date.now()) throw AppError.badInput('end', 'must be in the future');
    const minutes = dto.minutes ?? Math.round((end.getTime() - start.getTime()) / MINUTE);
    if (minutes * MINUTE > end.getTime() - start.getTime()) throw AppError.badInput('minutes', 'must fit inside the window');
    const tool = await this.equipment.get(actor, dto.equipmentId).catch(() => {
      throw AppError.badInput('equipmentId', 'no such equipment');
    });
    const booker = await this.reservations.resolveBooker(actor, dto.projectId);
    const entry = await this.dataSource.transaction((em) =>
      this.audit.insert(em, actor, WaitlistEntry, 'waitlist_entry', { equipmentId: tool.id, ...booker, mode: dto.mode ?? 'self', desiredStart: start, desiredEnd: end, minutes }),
    );
    // The time may be free already: then the offer comes at once.
    await this.offerFreedTime(tool.id);
    return this.entries.findOneByOrFail({ id: entry.id });
  }

  async withdraw(actor: Actor, id: string): Promise<WaitlistEntry> {
    const entry = await this.get(actor, id);
    this.assertOwnerOrStaff(actor, entry, await this.isStaffFor(actor, entry.equipmentId));
    if (!['waiting', 'offered'].includes(entry.status)) throw new AppError('invalid-transition', `A ${entry.status} waitlist entry cannot be withdrawn`, [{ field: 'status', message: `is ${entry.status}` }]);
    const withdrawn = await this.dataSource.transaction((em) => this.audit.update(em, actor, WaitlistEntry, 'waitlist_entry', id, { status: 'withdrawn' }, { action: 'withdraw' }));
    if (entry.status === 'offered') await this.offerFreedTime(entry.equipmentId);
    return withdrawn;
  }

  /** Books the offered time. If someone booked it meanwhile, the offer is gone (409) and the entry waits again. */
  async accept(actor: Actor, id: string): Promise<Reservation> {
    const entry = await this.get(actor, id);
    this.assertOwnerOrStaff(actor, entry, await this.isStaffFor(actor, entry.equipmentId));
    if (entry.status !== 'offered' || !entry.offerExpiresAt || entry.offerExpiresAt.getTime() <= Date.now()) {
      throw new AppError('invalid-transition', 'Only an open offer can be accepted', [{ field: 'status', message: `is ${entry.status}` }]);
    }
    try {
      const reservation = await this.reservations.book(
        actor,
        entry.equipmentId,
        { userId: entry.userId, organizationId: entry.organizationId, projectId: entry.projectId, start: entry.offeredStart!, end: entry.offeredEnd!, mode: entry.mode, purpose: 'from the waitlist' },
        {},
      );
      await this.dataSource.transaction((em) => this.audit.update(em, actor, WaitlistEntry, 'waitlist_entry', id, { status: 'booked', reservationId: reservation.id }, { action: 'accept' }));
      return reservation;
    } catch (error) {
      if (error instanceof AppError && error.status === 409) {
        await this.dataSource.transaction((em) =>
          this.audit.update(em, actor, WaitlistEntry, 'waitlist_entry', id, { status: 'waiting', offeredStart: null, offeredEnd: null, offerExpiresAt: null }, { action: 'offer_lost' }),
        );
      }
      throw error;
    }
  }

  /**
   * Offers free time on the equipment to waiting entries, first come first served: each gets
   * the earliest free stretch of its length inside its window that no open offer already holds.
   * Runs under the equipment lock, so it sees exactly what bookings see.
   */
  async offerFreedTime(equipmentId: string, now = new Date()): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const tool = await this.equipment.lockForBooking(em, equipmentId);
      const queue = await em.find(WaitlistEntry, { where: { equipmentId, status: 'waiting' }, order: { createdAt: 'ASC', id: 'ASC' } });
      const held = (await em.query(`SELECT offered_start, offered_end FROM waitlist_entries WHERE equipment_id = $1 AND status = 'offered' AND offer_expires_at > $2`, [equipmentId, now])) as {
        offered_start: Date;
        offered_end: Date;
      }[];
      const slot = tool.policy.slotMinutes * MINUTE;
      const buffer = tool.policy.bufferMinutes * MINUTE;
      let offered = 0;
      for (const entry of queue) {
        if (entry.desiredEnd <= now) continue;
        const place = await this.earliestFree(em, entry, Math.max(entry.desiredStart.getTime(), now.getTime()), slot, buffer, held);
        if (!place) continue;
        held.push({ offered_start: place.start, offered_end: place.end });
        await this.audit.update(
          em,
          SYSTEM_ACTOR,
          WaitlistEntry,
          'waitlist_entry',
          entry.id,
          { status: 'offered', offeredStart: place.start, offeredEnd: place.end, offerExpiresAt: new Date(now.getTime() + OFFER_MINUTES * MINUTE) },
          { action: 'offer' },
        );
        await this.outbox.add(em, JobName.WaitlistOffer, { entryId: entry.id });
        offered++;
      }
      return offered;
    });
  }

  /** Closes offers nobody took in time and passes the time on to the next in line. */
  async expireOffers(now = new Date()): Promise<number> {
    const expired = (await this.dataSource.query(`SELECT id, equipment_id FROM waitlist_entries WHERE status = 'offered' AND offer_expires_at <= $1`, [now])) as { id: string; equipment_id: string }[];
    for (const entry of expired) {
      await this.dataSource.transaction((em) => this.audit.update(em, SYSTEM_ACTOR, WaitlistEntry, 'waitlist_entry', entry.id, { status: 'expired' }, { action: 'expire' }));
    }
    for (const equipmentId of new Set(expired.map((entry) => entry.equipment_id))) await this.offerFreedTime(equipmentId, now);
    return expired.length;
  }

  private async earliestFree(
    em: EntityManager,
    entry: WaitlistEntry,
    from: number,
    slot: number,
    buffer: number,
    held: { offered_start: Date; offered_end: Date }[],
  ): Promise<{ start: Date; end: Date } | null> {
    let start = Math.ceil(from / slot) * slot;
    const length = entry.minutes * MINUTE;
    while (start + length <= entry.desiredEnd.getTime()) {
      const end = start + length;
      const busy = await this.reservations.busyUntil(em, entry.equipmentId, new Date(start), new Date(end + buffer));
      const offer = held.find((h) => h.offered_start.getTime() < end + buffer && h.offered_end.getTime() + buffer > start);
      const blockedUntil = Math.max(busy?.getTime() ?? 0, offer ? offer.offered_end.getTime() + buffer : 0);
      if (!blockedUntil) return { start: new Date(start), end: new Date(end) };
      start = Math.ceil(blockedUntil / slot) * slot;
    }
    return null;
  }

  private async isStaffFor(actor: Actor, equipmentId: string): Promise<boolean> {
    return canManageCenter(actor, (await this.equipment.get(actor, equipmentId)).centerId);
  }

  private assertOwnerOrStaff(actor: Actor, entry: WaitlistEntry, staff: boolean): void {
    if (!staff && actor.userId !== entry.userId) throw AppError.forbidden('Only the person waiting or staff may do this');
  }
}
