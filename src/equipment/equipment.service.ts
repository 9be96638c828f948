import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page, PageQueryDto } from '../common/pagination/cursor';
import { findScopedOrFail } from '../common/tenancy/tenant-scope';
import { hydrate } from '../infra/database/hydrate';
import { policyProblems } from './booking-policy-rules';
import { CreateEquipmentDto, EquipmentQueryDto, UpdateEquipmentDto } from './dto/equipment.dto';
import { EquipmentListQuery } from './equipment-list.query';
import { EquipmentStatusChange } from './equipment-status-change.entity';
import { BookingPolicy, Equipment } from './equipment.entity';

/** An equipment row with its center's time zone, read in the same query. */
export type EquipmentWithTimezone = Equipment & { readonly centerTimezone: string };
/** An equipment row locked for booking (the rest of the transaction), with its center's time zone. */
export type LockedEquipment = EquipmentWithTimezone;

@Injectable()
export class EquipmentService {
  constructor(
    @InjectRepository(Equipment) private readonly equipment: Repository<Equipment>,
    @InjectRepository(EquipmentStatusChange) private readonly statusChanges: Repository<EquipmentStatusChange>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
    private readonly listQuery: EquipmentListQuery,
  ) {}

  list(query: EquipmentQueryDto): Promise<Page<Equipment>> {
    return this.listQuery.run(query);
  }

  get(actor: Actor, id: string): Promise<Equipment> {
    return findScopedOrFail(this.equipment, actor, id, 'equipment');
  }

  /**
   * Locks the equipment row for the rest of the caller's transaction: bookings of one tool
   * then run their counting rules (quotas) one after another, never both on stale counts.
   */
  async lockForBooking(em: EntityManager, id: string): Promise<LockedEquipment> {
    // The center's time zone comes with the lock: every booking needs it for its hours rules.
    const equipment = await this.withTimezone(em, id, ' FOR UPDATE OF e');
    if (!equipment) throw AppError.notFound('equipment', id);
    return equipment;
  }

  /** The equipment with its center's time zone (for notices in local time), or null. */
  findWithTimezone(id: string): Promise<EquipmentWithTimezone | null> {
    return this.withTimezone(this.dataSource.manager, id, '');
  }

  private async withTimezone(em: EntityManager, id: string, lock: '' | ' FOR UPDATE OF e'): Promise<EquipmentWithTimezone | null> {
    const [row] = (await em.query(`SELECT e.*, c.timezone AS center_timezone FROM equipment e JOIN centers c ON c.id = e.center_id WHERE e.id = $1${lock}`, [id])) as (Record<
      string,
      unknown
    > & { center_timezone: string })[];
    return row ? Object.assign(hydrate(em, Equipment, row), { centerTimezone: row.center_timezone }) : null;
  }

  findByCode(centerId: string, code: string): Promise<Equipment | null> {
    return this.equipment.findOneBy({ centerId, code });
  }

  async create(actor: Actor, dto: CreateEquipmentDto): Promise<Equipment> {
    await this.centers.requireExisting(actor, dto.centerId);
    if (!canManageCenter(actor, dto.centerId)) throw AppError.forbidden('Only staff of this center may add equipment to it');
    this.assertPolicy(dto.policy);
    return this.dataSource.transaction(async (em) => {
      const created = await this.audit.insert(em, actor, Equipment, 'equipment', { ...dto, status: 'available' });
      await em.save(EquipmentStatusChange, em.create(EquipmentStatusChange, {
        equipmentId: created.id,
        fromStatus: null,
        toStatus: 'available',
        reason: 'commissioned',
        changedBy: actor.userId,
      }));
      return created;
    });
  }

  /**
   * Changes a tool; a status change is kept in the status history. With `em`, the change joins
   * the caller's transaction (the equipment row is then locked and read inside it).
   */
  async update(actor: Actor, id: string, dto: UpdateEquipmentDto, em?: EntityManager): Promise<Equipment> {
    const current = em ? await this.lockForBooking(em, id) : await this.get(actor, id);
    if (!canManageCenter(actor, current.centerId)) throw AppError.forbidden('Only staff of this center may change its equipment');
    if (dto.policy) this.assertPolicy(dto.policy);
    const { statusReason, ...changes } = dto;
    const statusChanges = dto.status !== undefined && dto.status !== current.status;
    if (statusChanges && !statusReason) throw AppError.badInput('statusReason', 'is required when the status changes');

    const apply = async (tx: EntityManager) => {
      const updated = await this.audit.update(tx, actor, Equipment, 'equipment', id, changes as Partial<Equipment>, {
        action: statusChanges ? 'status_change' : 'update',
      });
      if (statusChanges) {
        await tx.save(EquipmentStatusChange, tx.create(EquipmentStatusChange, {
          equipmentId: id,
          fromStatus: current.status,
          toStatus: dto.status,
          reason: statusReason,
          changedBy: actor.userId,
        }));
      }
      return updated;
    };
    return em ? apply(em) : this.dataSource.transaction(apply);
  }

  async statusHistory(actor: Actor, id: string, query: PageQueryDto): Promise<Page<EquipmentStatusChange>> {
    await this.get(actor, id);
    const qb = this.statusChanges.createQueryBuilder('s').where('s.equipment_id = :id', { id });
    return this.cursors.paginate(qb, [{ column: 's.changed_at', value: (s) => s.changedAt.toISOString(), direction: 'DESC' }, { column: 's.id', value: (s) => s.id, direction: 'DESC' }], query);
  }

  private assertPolicy(policy: BookingPolicy): void {
    const problems = policyProblems(policy);
    if (problems.length) throw new AppError('validation', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  }
}
