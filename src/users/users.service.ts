import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, Role } from '../common/auth/actor';
import { PrincipalCache } from '../common/auth/principal-cache';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { whereTextMatches } from '../common/query/text-search';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { JobName } from '../infra/queue/queue-name';
import { OrganizationsService } from '../organizations/organizations.service';
import { OutboxService } from '../outbox/outbox.service';
import { CreateUserDto, UpdateUserDto, UserQueryDto } from './dto/user.dto';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hasher';
import { UserView } from './dto/user-view.dto';
import { User } from './user.entity';

/** What the auth guard needs to know about a user on every request. */
export interface UserPrincipal {
  id: string;
  role: Role;
  organizationId: string | null;
  centerIds: string[];
  active: boolean;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
    private readonly principals: PrincipalCache,
  ) {}

  async list(actor: Actor, query: UserQueryDto): Promise<Page<UserView>> {
    const qb = scopedQuery(this.users, 'u', actor);
    whereTextMatches(qb, ['u.display_name', 'u.email'], query.q);
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.organizationId) qb.andWhere('u.organization_id = :organizationId', { organizationId: query.organizationId });
    if (query.centerId) qb.andWhere('u.id IN (SELECT user_id FROM user_centers WHERE center_id = :centerId)', { centerId: query.centerId });
    if (query.active !== undefined) qb.andWhere('u.active = :active', { active: query.active });
    const page = await this.cursors.paginate(qb, [{ column: 'u.created_at', value: (u) => u.createdAt.toISOString() }, { column: 'u.id', value: (u) => u.id }], query);
    return { items: await this.withCenters(this.dataSource.manager, page.items), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: string): Promise<UserView> {
    const user = await findScopedOrFail(this.users, actor, id, 'user');
    const [view] = await this.withCenters(this.dataSource.manager, [user]);
    return view;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  /** The user for a token, or null when the account is gone. One query: it runs on every request. */
  async findPrincipal(id: string): Promise<UserPrincipal | null> {
    const [row] = (await this.dataSource.query(
      `SELECT u.id, u.role, u.organization_id, u.active,
              coalesce(array(SELECT center_id FROM user_centers WHERE user_id = u.id ORDER BY center_id), '{}') AS center_ids
         FROM users u WHERE u.id = $1`,
      [id],
    )) as { id: string; role: Role; organization_id: string | null; active: boolean; center_ids: string[] }[];
    return row ? { id: row.id, role: row.role, organizationId: row.organization_id, centerIds: row.center_ids, active: row.active } : null;
  }

  /** Where and how to address a user in a notification, or null for an unknown id. */
  async contactOf(id: string): Promise<{ email: string; displayName: string } | null> {
    const [row] = (await this.dataSource.query('SELECT email, display_name FROM users WHERE id = $1', [id])) as { email: string; display_name: string }[];
    return row ? { email: row.email, displayName: row.display_name } : null;
  }

  /**
   * Checks an e-mail and password. An unknown e-mail costs the same scrypt work as a wrong
   * password, so response time does not tell which accounts exist.
   */
  async verifyCredentials(email: string, password: string): Promise<UserView | null> {
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !matches || !user.active) return null;
    const [view] = await this.withCenters(this.dataSource.manager, [user]);
    return view;
  }

  async create(actor: Actor, dto: CreateUserDto): Promise<UserView> {
    this.assertMayAssignRole(actor, dto.role);
    await this.validateMembership(actor, dto.role, dto.organizationId, dto.centerIds);
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (em) => {
      const user = await em.save(User, em.create(User, {
        email: dto.email.toLowerCase(),
        passwordHash,
        displayName: dto.displayName,
        role: dto.role,
        organizationId: dto.role === 'member' ? dto.organizationId! : null,
      }));
      await this.replaceCenters(em, user.id, dto.role === 'staff' ? (dto.centerIds ?? []) : []);
      const [view] = await this.withCenters(em, [await em.findOneByOrFail(User, { id: user.id })]);
      await this.audit.record(em, actor, { entity: 'user', entityId: user.id, action: 'create', after: view });
      await this.outbox.add(em, JobName.SendMail, { to: view.email, template: 'account-created', data: { displayName: view.displayName } }, actor.requestId);
      return view;
    });
  }

  /** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD or the CLI; does nothing if any admin exists. */
  async ensureAdmin(actor: Actor, email: string, password: string, displayName = 'Administrator'): Promise<UserView | null> {
    const [existing] = (await this.dataSource.query(`SELECT id FROM users WHERE role = 'admin' AND active LIMIT 1`)) as unknown[];
    if (existing) return null;
    return this.create(actor, { email, password, displayName, role: 'admin' });
  }

  async update(actor: Actor, id: string, dto: UpdateUserDto): Promise<UserView> {
    const current = await this.get(actor, id);
    const self = actor.userId === id;
    const selfServiceFields = ['displayName', 'password'];
    const changesOthers = Object.keys(dto).some((key) => !selfServiceFields.includes(key));
    if (!(actor.role === 'admin' || (actor.role === 'staff' && current.role === 'member') || (self && !changesOthers))) {
      throw AppError.forbidden('You may change only your own name and password');
    }
    const role = dto.role ?? current.role;
    if (dto.role) this.assertMayAssignRole(actor, dto.role);
    const organizationId = dto.organizationId ?? current.organizationId ?? undefined;
    const centerIds = dto.centerIds ?? current.centerIds;
    if (dto.role || dto.organizationId || dto.centerIds) await this.validateMembership(actor, role, organizationId, centerIds);

    const changes: Partial<User> = {};
    if (dto.displayName !== undefined) changes.displayName = dto.displayName;
    if (dto.active !== undefined) changes.active = dto.active;
    if (dto.role !== undefined) changes.role = dto.role;
    if (dto.role || dto.organizationId) changes.organizationId = role === 'member' ? organizationId! : null;
    if (dto.password !== undefined) changes.passwordHash = await hashPassword(dto.password);

    const updated = await this.dataSource.transaction(async (em) => {
      await em.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
      if (Object.keys(changes).length) await em.update(User, { id }, changes);
      if (dto.role || dto.centerIds) await this.replaceCenters(em, id, role === 'staff' ? centerIds : []);
      const [after] = await this.withCenters(em, [await em.findOneByOrFail(User, { id })]);
      const action = dto.password !== undefined && Object.keys(dto).length === 1 ? 'password_change' : 'update';
      await this.audit.record(em, actor, { entity: 'user', entityId: id, action, before: current, after });
      return after;
    });
    // Other processes hear of the change through the database trigger; this one forgets at once.
    this.principals.evict(id);
    return updated;
  }

  private assertMayAssignRole(actor: Actor, role: Role): void {
    if (actor.role === 'admin') return;
    if (actor.role === 'staff' && role === 'member') return;
    throw AppError.forbidden(actor.role === 'staff' ? 'Staff may create and change member accounts only' : 'Your role does not allow managing users');
  }

  private async validateMembership(actor: Actor, role: Role, organizationId: string | undefined, centerIds: string[] | undefined): Promise<void> {
    if (role === 'member') {
      if (!organizationId) throw AppError.badInput('organizationId', 'is required for a member');
      await this.organizations.requireVisible(actor, organizationId);
    } else if (organizationId) {
      throw AppError.badInput('organizationId', `must be empty for ${role} accounts`);
    }
    if (role === 'staff') {
      if (!centerIds?.length) throw AppError.badInput('centerIds', 'a staff user needs at least one center');
      const found = await this.centers.findByIds(centerIds);
      const missing = centerIds.find((id) => !found.some((center) => center.id === id));
      if (missing) throw AppError.badInput('centerIds', `no center with id ${missing}`);
    } else if (centerIds?.length) {
      throw AppError.badInput('centerIds', `only staff accounts belong to centers`);
    }
  }

  private async replaceCenters(em: EntityManager, userId: string, centerIds: string[]): Promise<void> {
    await em.query('DELETE FROM user_centers WHERE user_id = $1', [userId]);
    if (centerIds.length) {
      await em.query('INSERT INTO user_centers (user_id, center_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [userId, centerIds]);
    }
  }

  private async withCenters(em: EntityManager, users: User[]): Promise<UserView[]> {
    if (!users.length) return [];
    const rows = (await em.query('SELECT user_id, center_id FROM user_centers WHERE user_id = ANY($1) ORDER BY center_id', [users.map((u) => u.id)])) as {
      user_id: string;
      center_id: string;
    }[];
    return users.map((user) => ({
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      organizationId: user.organizationId,
      centerIds: rows.filter((row) => row.user_id === user.id).map((row) => row.center_id),
      active: user.active,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    }));
  }
}
