import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { whereTextMatches } from '../common/query/text-search';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { CreateOrganizationDto, OrganizationQueryDto, UpdateOrganizationDto } from './dto/organization.dto';
import { Organization } from './organization.entity';

@Injectable()
export class OrganizationsService {
  constructor(
    @InjectRepository(Organization) private readonly organizations: Repository<Organization>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: OrganizationQueryDto): Promise<Page<Organization>> {
    const qb = scopedQuery(this.organizations, 'o', actor);
    whereTextMatches(qb, ['o.name', 'o.name_ja'], query.q);
    if (query.kind) qb.andWhere('o.kind = :kind', { kind: query.kind });
    if (query.active !== undefined) qb.andWhere('o.active = :active', { active: query.active });
    return this.cursors.paginate(qb, [{ column: 'o.created_at', value: (o) => o.createdAt.toISOString() }, { column: 'o.id', value: (o) => o.id }], query);
  }

  get(actor: Actor, id: string): Promise<Organization> {
    return findScopedOrFail(this.organizations, actor, id, 'organization');
  }

  /** Throws 400 naming `field` unless the caller may see this organization. */
  async requireVisible(actor: Actor, id: string, field = 'organizationId'): Promise<Organization> {
    const organization = await scopedQuery(this.organizations, 'o', actor).andWhere('o.id = :id', { id }).getOne();
    if (!organization) throw AppError.badInput(field, 'no such organization');
    return organization;
  }

  findByName(name: string): Promise<Organization | null> {
    return this.organizations.createQueryBuilder('o').where('lower(o.name) = lower(:name)', { name }).getOne();
  }

  create(actor: Actor, dto: CreateOrganizationDto): Promise<Organization> {
    return this.dataSource.transaction((em) => this.audit.insert(em, actor, Organization, 'organization', dto));
  }

  async update(actor: Actor, id: string, dto: UpdateOrganizationDto): Promise<Organization> {
    await this.get(actor, id);
    return this.dataSource.transaction((em) => this.audit.update(em, actor, Organization, 'organization', id, dto));
  }
}
