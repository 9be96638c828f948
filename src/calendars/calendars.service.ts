import { createHash, randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import ical, { ICalCalendar, ICalEventStatus } from 'ical-generator';
import { DataSource, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Center } from '../centers/center.entity';
import { CentersService } from '../centers/centers.service';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { scopedQuery } from '../common/tenancy/tenant-scope';
import { Equipment } from '../equipment/equipment.entity';
import { EquipmentService } from '../equipment/equipment.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { ACTIVE_STATUSES, ReservationStatus } from '../reservations/reservation-lifecycle';
import { Reservation } from '../reservations/reservation.entity';
import { ReservationsService } from '../reservations/reservations.service';
import { UsersService } from '../users/users.service';
import { CalendarFeed } from './calendar-feed.entity';
import { CalendarFeedQueryDto, CreateCalendarFeedDto, CreatedCalendarFeedDto } from './dto/calendar-feed.dto';
import { vtimezone } from './vtimezone';

const DAY = 86_400_000;
/** A feed shows this much of the past and of the future. */
const PAST_DAYS = 30;
const FUTURE_DAYS = 365;
/** More events than any calendar app wants in one feed; the earliest are kept. */
const MAX_EVENTS = 5000;
/** How often calendar apps are asked to fetch the feed again. */
const REFRESH_SECONDS = 15 * 60;
/** The bookings a user feed shows: held or used, not cancelled, rejected or missed. */
const USER_FEED_STATUSES: ReservationStatus[] = ['pending', 'confirmed', 'in_use', 'completed'];

/** 32 random bytes in base64url: exactly 43 characters of A–Z, a–z, 0–9, `-` and `_`. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const STATUS_LABEL: Record<ReservationStatus, string> = {
  pending: 'Pending',
  confirmed: 'Confirmed',
  in_use: 'In use',
  completed: 'Completed',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
  no_show: 'No-show',
};

export function hashCalendarToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What the audit log keeps of a feed: never its token or hash. */
const auditView = (feed: CalendarFeed) => ({ id: feed.id, scope: feed.scope, equipmentId: feed.equipmentId });

@Injectable()
export class CalendarsService {
  constructor(
    @InjectRepository(CalendarFeed) private readonly feeds: Repository<CalendarFeed>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reservations: ReservationsService,
    private readonly equipment: EquipmentService,
    private readonly centers: CentersService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  async create(actor: Actor, dto: CreateCalendarFeedDto): Promise<CreatedCalendarFeedDto> {
    if (actor.kind !== 'user' || !actor.userId) throw AppError.forbidden('Calendar feeds are created by signed-in users, not by API keys');
    let equipmentId: string | null = null;
    if (dto.scope === 'equipment') {
      if (!dto.equipmentId) throw AppError.badInput('equipmentId', 'is required for an equipment feed');
      const equipment = await this.equipment.get(actor, dto.equipmentId).catch(() => {
        throw AppError.badInput('equipmentId', 'no such equipment');
      });
      equipmentId = equipment.id;
    } else if (dto.equipmentId) {
      throw AppError.badInput('equipmentId', 'must be empty for a user feed');
    }
    // 32 random bytes: a token cannot be guessed, so a fast hash is enough to store it.
    const token = randomBytes(32).toString('base64url');
    const feed = await this.dataSource.transaction((em) =>
      this.audit.insert(
        em,
        actor,
        CalendarFeed,
        'calendar_feed',
        { tokenHash: hashCalendarToken(token), scope: dto.scope, userId: actor.userId!, organizationId: actor.organizationId, equipmentId },
        auditView,
      ),
    );
    return { id: feed.id, token, url: this.feedUrl(token), scope: feed.scope, equipmentId: feed.equipmentId };
  }

  /** The caller's own feeds, newest first; tokens are never shown again. */
  list(actor: Actor, query: CalendarFeedQueryDto): Promise<Page<CalendarFeed>> {
    const qb = scopedQuery(this.feeds, 'f', actor).andWhere('f.user_id = :owner', { owner: actor.userId });
    if (!query.includeRevoked) qb.andWhere('f.revoked_at IS NULL');
    return this.cursors.paginate(
      qb,
      [
        { column: 'f.created_at', value: (f) => f.createdAt.toISOString(), direction: 'DESC' },
        { column: 'f.id', value: (f) => f.id, direction: 'DESC' },
      ],
      query,
    );
  }

  /**
   * Revokes a feed at once. Only its owner or an admin may; anyone else gets the same 404 as
   * for a token that does not exist. `token` may carry the `.ics` of the feed's address.
   */
  async revoke(actor: Actor, token: string): Promise<CalendarFeed> {
    const feed = await this.findByToken(token.endsWith('.ics') ? token.slice(0, -4) : token);
    if (!feed || (actor.role !== 'admin' && feed.userId !== actor.userId)) throw AppError.notFound('calendar feed');
    if (feed.revokedAt) return feed;
    return this.dataSource.transaction((em) =>
      this.audit.update(em, actor, CalendarFeed, 'calendar_feed', feed.id, { revokedAt: new Date() }, { action: 'revoke', view: auditView }),
    );
  }

  /**
   * The iCalendar text of a feed, read with its owner's current rights: a member's feed shows
   * other organizations' bookings as "Booked" and nothing more. An unknown or revoked token,
   * or an owner who is disabled or has changed organization, gives a 404.
   */
  async render(token: string, now = new Date()): Promise<string> {
    const feed = await this.findByToken(token);
    if (!feed || feed.revokedAt) throw AppError.notFound('calendar feed');
    const owner = await this.users.findPrincipal(feed.userId);
    if (!owner?.active || owner.organizationId !== feed.organizationId) throw AppError.notFound('calendar feed');
    const ownerActor: Actor = { kind: 'user', id: owner.id, userId: owner.id, role: owner.role, organizationId: owner.organizationId, centerIds: owner.centerIds };

    const from = new Date(now.getTime() - PAST_DAYS * DAY);
    const to = new Date(now.getTime() + FUTURE_DAYS * DAY);
    const places = new Places(ownerActor, this.equipment, this.centers);
    let name: string;
    let rows: Reservation[];
    if (feed.scope === 'equipment') {
      const equipment = await places.equipment(feed.equipmentId!);
      name = `${equipment.code} · ${equipment.nameEn}`;
      rows = await this.reservations.listForCalendar({
        equipmentId: equipment.id,
        kinds: ['booking', 'maintenance'],
        statuses: ACTIVE_STATUSES,
        from,
        to,
        limit: MAX_EVENTS,
      });
    } else {
      name = 'My bookings';
      rows = await this.reservations.listForCalendar({ userId: owner.id, kinds: ['booking'], statuses: USER_FEED_STATUSES, from, to, limit: MAX_EVENTS });
    }

    const calendar = ical({ prodId: '//Foundry Hub//Calendar feeds//EN', name: `Foundry Hub · ${name}`, ttl: REFRESH_SECONDS });
    let earliest = from;
    let latest = to;
    for (const row of rows) {
      const equipment = await places.equipment(row.equipmentId);
      const center = await places.center(equipment.centerId);
      this.addEvent(calendar, row, equipment, center, ownerActor);
      if (row.start < earliest) earliest = row.start;
      if (row.end > latest) latest = row.end;
    }
    // Each event carries its center's zone and the calendar describes every zone its events use.
    // No calendar-wide zone name: ical-generator would then write DTSTAMP and LAST-MODIFIED as
    // local times, where RFC 5545 wants UTC.
    calendar.timezone({ name: null, generator: (tzid) => vtimezone(tzid, earliest, latest) });
    // RFC 5545 ends every content line, the last one too, with CRLF.
    const text = calendar.toString();
    return text.endsWith('\r\n') ? text : `${text}\r\n`;
  }

  private addEvent(calendar: ICalCalendar, row: Reservation, equipment: Equipment, center: Center, owner: Actor): void {
    // A member sees details of their own organization's bookings only; maintenance windows
    // show as such, with the staff's notes kept for staff.
    const ownDetails = owner.role !== 'member' || (row.kind === 'booking' && row.organizationId === owner.organizationId);
    const label = row.kind === 'maintenance' ? 'Maintenance' : ownDetails ? STATUS_LABEL[row.status] : 'Booked';
    const zone = center.timezone;
    calendar.createEvent({
      id: `${row.id}@foundry-hub`,
      start: new TZDate(row.start, zone),
      end: new TZDate(row.end, zone),
      timezone: zone,
      stamp: row.updatedAt,
      lastModified: row.updatedAt,
      summary: `${equipment.code} · ${label}`,
      description: ownDetails && row.purpose ? row.purpose : null,
      location: `${equipment.nameEn}, ${center.nameEn}`,
      status: row.status === 'pending' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
    });
  }

  private findByToken(token: string): Promise<CalendarFeed | null> {
    if (!TOKEN_PATTERN.test(token)) return Promise.resolve(null);
    return this.feeds.createQueryBuilder('f').where('f.token_hash = :hash', { hash: hashCalendarToken(token) }).getOne();
  }

  private feedUrl(token: string): string {
    return `${this.config.publicUrl}/api/v1/calendars/${token}.ics`;
  }
}

/** Equipment and centers of one feed, each read once (both are a shared catalogue). */
class Places {
  private readonly equipmentById = new Map<string, Promise<Equipment>>();
  private readonly centerById = new Map<string, Promise<Center>>();

  constructor(
    private readonly actor: Actor,
    private readonly equipmentService: EquipmentService,
    private readonly centersService: CentersService,
  ) {}

  equipment(id: string): Promise<Equipment> {
    let found = this.equipmentById.get(id);
    if (!found) this.equipmentById.set(id, (found = this.equipmentService.get(this.actor, id)));
    return found;
  }

  center(id: string): Promise<Center> {
    let found = this.centerById.get(id);
    if (!found) this.centerById.set(id, (found = this.centersService.get(this.actor, id)));
    return found;
  }
}
