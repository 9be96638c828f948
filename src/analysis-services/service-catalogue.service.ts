import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { CentersService } from '../centers/centers.service';
import { CreateServiceOfferingDto, ServiceOfferingQueryDto, UpdateServiceOfferingDto } from './dto/service-offering.dto';
import { ServiceOffering } from './service-offering.entity';

/** The analysis services each center offers, with prices per rate category. */
@Injectable()
export class ServiceCatalogueService {
  constructor(
    @InjectRepository(ServiceOffering) private readonly services: Repository<ServiceOffering>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  list(actor: Actor, query: ServiceOfferingQueryDto): Promise<Page<ServiceOffering>> {
    const qb = scopedQuery(this.services, 's', actor);
    if (query.centerId) qb.andWhere('s.center_id = :centerId', { centerId: query.centerId });
    if (query.technique) qb.andWhere('lower(s.technique) = lower(:technique)', { technique: query.technique });
    return this.cursors.paginate(
      qb,
      [
        { column: 's.code', value: (s) => s.code, direction: 'ASC' },
        { column: 's.id', value: (s) => s.id, direction: 'ASC' },
      ],
      query,
    );
  }

  get(actor: Actor, id: string): Promise<ServiceOffering> {
    return findScopedOrFail(this.services, actor, id, 'service');
  }

  /** The services of a request's items, by id; every one must be an active service of the center. */
  async requireOffered(centerId: string, ids: string[], field: (index: number) => string): Promise<Map<string, ServiceOffering>> {
    const found = await this.byIds(ids);
    ids.forEach((id, index) => {
      const service = found.get(id);
      if (!service || service.centerId !== centerId) throw AppError.badInput(field(index), 'no such service at this center');
      if (!service.active) throw AppError.badInput(field(index), 'the service is no longer offered');
    });
    return found;
  }

  /** Any services by id, withdrawn ones included (old requests still name them). */
  async byIds(ids: string[]): Promise<Map<string, ServiceOffering>> {
    if (!ids.length) return new Map();
    return new Map((await this.services.findBy({ id: In([...new Set(ids)]) })).map((s) => [s.id, s]));
  }

  async create(actor: Actor, dto: CreateServiceOfferingDto): Promise<ServiceOffering> {
    await this.centers.requireExisting(actor, dto.centerId);
    if (!canManageCenter(actor, dto.centerId)) throw AppError.forbidden('Only staff of this center may change its catalogue');
    await this.checkEquipment(dto.centerId, dto.equipmentIds);
    return this.dataSource.transaction((em) =>
      this.audit.insert(em, actor, ServiceOffering, 'service', { ...dto, description: dto.description ?? null, sampleRequirements: dto.sampleRequirements ?? [] }),
    );
  }

  async update(actor: Actor, id: string, dto: UpdateServiceOfferingDto): Promise<ServiceOffering> {
    const current = await this.get(actor, id);
    if (!canManageCenter(actor, current.centerId)) throw AppError.forbidden('Only staff of this center may change its catalogue');
    if (dto.centerId !== undefined && dto.centerId !== current.centerId) throw AppError.badInput('centerId', 'a service cannot move to another center');
    if (dto.equipmentIds) await this.checkEquipment(current.centerId, dto.equipmentIds);
    return this.dataSource.transaction((em) => this.audit.update(em, actor, ServiceOffering, 'service', id, dto as Partial<ServiceOffering>));
  }

  /** Every tool a service names must be the center's own: one query for them all. */
  private async checkEquipment(centerId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows = (await this.dataSource.query('SELECT id FROM equipment WHERE center_id = $1 AND id = ANY($2::uuid[])', [centerId, ids])) as { id: string }[];
    const own = new Set(rows.map((r) => r.id));
    ids.forEach((id, index) => {
      if (!own.has(id)) throw AppError.badInput(`equipmentIds[${index}]`, 'no such equipment at this center');
    });
  }
}
