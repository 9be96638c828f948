import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, Role } from '../common/auth/actor';
import { PrincipalCache } from '../common/auth/principal-cache';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { scopedQuery } from '../common/tenancy/tenant-scope';
import { OrganizationsService } from '../organizations/organizations.service';
import { ApiKey } from './api-key.entity';
import { ApiKeyQueryDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

export const API_KEY_PREFIX = 'fhk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The last-used stamp is refreshed at most this often, so a busy key does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
    private readonly principals: PrincipalCache,
  ) {}

  async create(actor: Actor, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    await this.assertMayIssue(actor, dto);
    // 32 random bytes: a key cannot be guessed, so a fast hash is enough to store it.
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const stored = await this.dataSource.transaction((em) =>
      this.audit.insert(em, actor, ApiKey, 'api_key', {
        name: dto.name,
        role: dto.role,
        keyHash: hashApiKey(key),
        organizationId: dto.role === 'member' ? dto.organizationId : null,
        centerIds: dto.role === 'staff' ? dto.centerIds : [],
        createdBy: actor.userId,
      }),
    );
    return { ...stored, key };
  }

  list(actor: Actor, query: ApiKeyQueryDto): Promise<Page<ApiKey>> {
    const qb = this.visible(actor);
    if (!query.includeRevoked) qb.andWhere('k.revoked_at IS NULL');
    return this.cursors.paginate(qb, [{ column: 'k.created_at', value: (k) => k.createdAt.toISOString() }, { column: 'k.id', value: (k) => k.id }], query);
  }

  async get(actor: Actor, id: string): Promise<ApiKey> {
    const key = await this.visible(actor).andWhere('k.id = :id', { id }).getOne();
    if (!key) throw AppError.notFound('API key', id);
    return key;
  }

  async revoke(actor: Actor, id: string): Promise<ApiKey> {
    const key = await this.get(actor, id);
    if (key.revokedAt) return key;
    const revoked = await this.dataSource.transaction((em) => this.audit.update(em, actor, ApiKey, 'api_key', id, { revokedAt: new Date() }, { action: 'revoke' }));
    this.principals.evict(id);
    return revoked;
  }

  /** The caller behind a presented key, or null if it is unknown or revoked. */
  async resolve(key: string): Promise<Omit<Actor, 'requestId'> | null> {
    const [row] = (await this.dataSource.query(
      `SELECT id, role, organization_id, center_ids, created_by, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashApiKey(key)],
    )) as { id: string; role: Role; organization_id: string | null; center_ids: string[]; created_by: string | null; last_used_at: Date | null }[];
    if (!row) return null;
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.dataSource.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id]);
    }
    return { kind: 'api_key', id: row.id, userId: row.created_by, role: row.role, organizationId: row.organization_id, centerIds: row.center_ids };
  }

  /** Admins see every key; staff the keys they issued; members their organization's keys. */
  private visible(actor: Actor) {
    const qb = scopedQuery(this.keys, 'k', actor);
    if (actor.role === 'staff') qb.andWhere('k.created_by = :creator', { creator: actor.userId });
    return qb;
  }

  /** Nobody issues a key with more reach than they have themselves. */
  private async assertMayIssue(actor: Actor, dto: CreateApiKeyDto): Promise<void> {
    if (actor.kind !== 'user') throw AppError.forbidden('API keys are issued by signed-in users, not by other keys');
    const rank: Record<Role, number> = { member: 0, staff: 1, admin: 2 };
    if (rank[dto.role] > rank[actor.role]) throw AppError.forbidden(`A ${actor.role} cannot issue ${dto.role} keys`);
    if (dto.role === 'member') {
      if (!dto.organizationId) throw AppError.badInput('organizationId', 'is required for a member key');
      await this.organizations.requireVisible(actor, dto.organizationId);
    } else if (dto.organizationId) {
      throw AppError.badInput('organizationId', `must be empty for ${dto.role} keys`);
    }
    if (dto.role === 'staff') {
      if (!dto.centerIds?.length) throw AppError.badInput('centerIds', 'a staff key needs at least one center');
      const found = await this.centers.findByIds(dto.centerIds);
      const missing = dto.centerIds.find((id) => !found.some((center) => center.id === id));
      if (missing) throw AppError.badInput('centerIds', `no center with id ${missing}`);
      const outside = dto.centerIds.find((id) => actor.role !== 'admin' && !actor.centerIds.includes(id));
      if (outside) throw AppError.badInput('centerIds', `you do not work for center ${outside}`);
    } else if (dto.centerIds?.length) {
      throw AppError.badInput('centerIds', 'only staff keys belong to centers');
    }
  }
}
