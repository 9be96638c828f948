import { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { Actor } from '../auth/actor';
import { AppError } from '../errors/app-error';

const TENANCY = Symbol('foundry:tenancy');

/**
 * Declares how an entity belongs to an organization. `column` is the SQL column holding the
 * owning organization's id (`id` for organizations themselves); `null` marks a shared catalogue
 * (centers, equipment) that every signed-in caller may read.
 */
export function TenantOwned(column: string | null): ClassDecorator {
  return (target) => Reflect.defineMetadata(TENANCY, { column }, target);
}

function ownerColumn(entity: Function): string | null {
  const rule = Reflect.getMetadata(TENANCY, entity) as { column: string | null } | undefined;
  if (!rule) throw new Error(`${entity.name} has no @TenantOwned rule; every queried entity needs one`);
  return rule.column;
}

/**
 * The one place that decides which rows a caller may see. Members see rows of their own
 * organization; staff and admins see all organizations (staff act for every client of their
 * centers). Every read and every write-by-id starts from one of these query builders.
 */
export function scopedQuery<T extends ObjectLiteral>(repository: Repository<T>, alias: string, actor: Actor): SelectQueryBuilder<T> {
  const qb = repository.createQueryBuilder(alias);
  const column = ownerColumn(repository.target as Function);
  if (column !== null && actor.role === 'member') {
    qb.andWhere(`${alias}.${column} = :tenantOrganizationId`, { tenantOrganizationId: actor.organizationId });
  }
  return qb;
}

/** Loads one row the caller may see, or answers 404 — the same answer whether it is absent or another organization's. */
export async function findScopedOrFail<T extends ObjectLiteral>(
  repository: Repository<T>,
  actor: Actor,
  id: string,
  entityName: string,
): Promise<T> {
  const alias = 'scoped';
  const row = await scopedQuery(repository, alias, actor).andWhere(`${alias}.id = :id`, { id }).getOne();
  if (!row) throw AppError.notFound(entityName, id);
  return row;
}
