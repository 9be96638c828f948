import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError, FieldError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { Equipment } from '../equipment/equipment.entity';
import { EquipmentService } from '../equipment/equipment.service';
import { UsersService } from '../users/users.service';
import { CreateQualificationDto, QualificationQueryDto } from './dto/qualification.dto';
import { Qualification } from './qualification.entity';

/** Resolves a lookup that answers 404 for a missing object to null, so the caller can name its own field. */
async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not-found') return null;
    throw error;
  }
}

@Injectable()
export class QualificationsService {
  constructor(
    @InjectRepository(Qualification) private readonly qualifications: Repository<Qualification>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly equipment: EquipmentService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: QualificationQueryDto): Promise<Page<Qualification>> {
    const qb = scopedQuery(this.qualifications, 'q', actor);
    if (query.userId) qb.andWhere('q.user_id = :userId', { userId: query.userId });
    if (query.equipmentId) qb.andWhere('q.equipment_id = :equipmentId', { equipmentId: query.equipmentId });
    if (query.active === true) qb.andWhere('(q.revoked_at IS NULL AND (q.expires_at IS NULL OR q.expires_at > now()))');
    if (query.active === false) qb.andWhere('(q.revoked_at IS NOT NULL OR q.expires_at <= now())');
    return this.cursors.paginate(qb, [{ column: 'q.created_at', value: (q) => q.createdAt.toISOString() }, { column: 'q.id', value: (q) => q.id }], query);
  }

  get(actor: Actor, id: string): Promise<Qualification> {
    return findScopedOrFail(this.qualifications, actor, id, 'qualification');
  }

  /**
   * The qualification that lets `userId` operate `equipmentId` at `at`: not revoked and not
   * expired by then. For the booking engine; it applies no tenancy filter.
   */
  /** Pass the caller's transaction as `em`: a query outside it would need a second pooled connection. */
  findValid(userId: string, equipmentId: string, at: Date, em?: EntityManager): Promise<Qualification | null> {
    return (em ? em.getRepository(Qualification) : this.qualifications)
      .createQueryBuilder('q')
      .where('q.user_id = :userId', { userId })
      .andWhere('q.equipment_id = :equipmentId', { equipmentId })
      .andWhere('q.revoked_at IS NULL')
      .andWhere('(q.expires_at IS NULL OR q.expires_at > :at)', { at })
      .orderBy('q.created_at', 'DESC')
      .getOne();
  }

  /**
   * Staff of the tool's center (or an admin) qualify a user on it. The user's organization is
   * copied so tenancy filters the row; a second active grant is refused by uq_qualifications_active.
   */
  async grant(actor: Actor, dto: CreateQualificationDto): Promise<Qualification> {
    const [equipment, user] = await Promise.all([orNull(this.equipment.get(actor, dto.equipmentId)), orNull(this.users.get(actor, dto.userId))]);
    if (!equipment || !user || !user.active) {
      const problems: FieldError[] = [];
      if (!equipment) problems.push({ field: 'equipmentId', message: 'no such equipment' });
      if (!user) problems.push({ field: 'userId', message: 'no such user' });
      else if (!user.active) problems.push({ field: 'userId', message: 'this user is deactivated' });
      throw new AppError('validation', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
    }
    this.assertMayManage(actor, equipment, 'grant');

    return this.dataSource.transaction(async (em) => {
      // Renewal: an expired qualification is closed (revoked) so the new one can be the active one.
      const expired = (await em.query(
        'SELECT id FROM qualifications WHERE user_id = $1 AND equipment_id = $2 AND revoked_at IS NULL AND expires_at <= now()',
        [user.id, dto.equipmentId],
      )) as { id: string }[];
      for (const { id } of expired) {
        await this.audit.update(em, actor, Qualification, 'qualification', id, { revokedAt: new Date() }, { action: 'revoke' });
      }
      return this.audit.insert(em, actor, Qualification, 'qualification', {
        userId: user.id,
        organizationId: user.organizationId,
        equipmentId: dto.equipmentId,
        level: dto.level,
        grantedBy: actor.userId,
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
      });
    });
  }

  /** Ends a qualification at once; the row stays, with `revokedAt` set. */
  async revoke(actor: Actor, id: string): Promise<Qualification> {
    const current = await this.get(actor, id);
    this.assertMayManage(actor, await this.equipment.get(actor, current.equipmentId), 'revoke');
    return this.dataSource.transaction(async (em) => {
      const locked = await em.findOne(Qualification, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw AppError.notFound('qualification', id);
      if (locked.revokedAt) throw new AppError('invalid-transition', 'This qualification is already revoked');
      return this.audit.update(em, actor, Qualification, 'qualification', id, { revokedAt: new Date() }, { action: 'revoke' });
    });
  }

  private assertMayManage(actor: Actor, equipment: Equipment, verb: 'grant' | 'revoke'): void {
    if (!canManageCenter(actor, equipment.centerId)) {
      throw AppError.forbidden(`Only staff of this equipment's center may ${verb} qualifications on it`);
    }
  }
}
