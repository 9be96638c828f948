import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { whereTextMatches } from '../common/query/text-search';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { OrganizationsService } from '../organizations/organizations.service';
import { CreateProjectDto, ProjectQueryDto, UpdateProjectDto } from './dto/project.dto';
import { Project } from './project.entity';

@Injectable()
export class ProjectsService {
  constructor(
    @InjectRepository(Project) private readonly projects: Repository<Project>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: ProjectQueryDto): Promise<Page<Project>> {
    const qb = scopedQuery(this.projects, 'p', actor);
    whereTextMatches(qb, ['p.code', 'p.name'], query.q);
    if (query.organizationId) qb.andWhere('p.organization_id = :organizationId', { organizationId: query.organizationId });
    if (query.rateCategory) qb.andWhere('p.rate_category = :rateCategory', { rateCategory: query.rateCategory });
    if (query.active !== undefined) qb.andWhere('p.active = :active', { active: query.active });
    return this.cursors.paginate(qb, [{ column: 'p.created_at', value: (p) => p.createdAt.toISOString() }, { column: 'p.id', value: (p) => p.id }], query);
  }

  get(actor: Actor, id: string): Promise<Project> {
    return findScopedOrFail(this.projects, actor, id, 'project');
  }

  findByCode(organizationId: string, code: string): Promise<Project | null> {
    return this.projects.findOneBy({ organizationId, code });
  }

  async create(actor: Actor, dto: CreateProjectDto): Promise<Project> {
    await this.organizations.requireVisible(actor, dto.organizationId);
    return this.dataSource.transaction((em) => this.audit.insert(em, actor, Project, 'project', dto));
  }

  async update(actor: Actor, id: string, dto: UpdateProjectDto): Promise<Project> {
    await this.get(actor, id);
    return this.dataSource.transaction((em) => this.audit.update(em, actor, Project, 'project', id, dto));
  }
}
