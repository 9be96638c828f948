import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { whereTextMatches } from '../common/query/text-search';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { Center } from './center.entity';
import { CenterQueryDto, CreateCenterDto, UpdateCenterDto } from './dto/center.dto';

@Injectable()
export class CentersService {
  constructor(
    @InjectRepository(Center) private readonly centers: Repository<Center>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: CenterQueryDto): Promise<Page<Center>> {
    const qb = scopedQuery(this.centers, 'c', actor);
    whereTextMatches(qb, ['c.code', 'c.name_ja', 'c.name_en'], query.q);
    if (query.active !== undefined) qb.andWhere('c.active = :active', { active: query.active });
    return this.cursors.paginate(qb, [{ column: 'c.code', value: (c) => c.code }], query);
  }

  get(actor: Actor, id: string): Promise<Center> {
    return findScopedOrFail(this.centers, actor, id, 'center');
  }

  /**
   * The center's time zone, read through the caller's transaction: code holding a lock must
   * not wait for a second pooled connection, or a burst of bookings starves the pool.
   */
  async timezoneOf(em: EntityManager, centerId: string): Promise<string> {
    const center = await em.findOneBy(Center, { id: centerId });
    if (!center) throw AppError.notFound('center', centerId);
    return center.timezone;
  }

  /** Throws 400 naming `field` unless the center exists. */
  async requireExisting(actor: Actor, id: string, field = 'centerId'): Promise<Center> {
    const center = await scopedQuery(this.centers, 'c', actor).andWhere('c.id = :id', { id }).getOne();
    if (!center) throw AppError.badInput(field, 'no such center');
    return center;
  }

  findByCode(code: string): Promise<Center | null> {
    return this.centers.findOneBy({ code });
  }

  async findByIds(ids: string[]): Promise<Center[]> {
    return ids.length ? this.centers.createQueryBuilder('c').where('c.id IN (:...ids)', { ids }).getMany() : [];
  }

  create(actor: Actor, dto: CreateCenterDto): Promise<Center> {
    return this.dataSource.transaction((em) => this.audit.insert(em, actor, Center, 'center', dto));
  }

  update(actor: Actor, id: string, dto: UpdateCenterDto): Promise<Center> {
    return this.dataSource.transaction((em) => this.audit.update(em, actor, Center, 'center', id, dto));
  }
}
