import { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { Actor } from '../common/auth/actor';
import { scopedQuery } from '../common/tenancy/tenant-scope';

/**
 * Charges and invoices the caller may see: members their organization's (the tenant scope),
 * staff only their centers', admins all. Both tables carry `center_id`.
 */
export function billingScope<T extends ObjectLiteral>(repository: Repository<T>, alias: string, actor: Actor): SelectQueryBuilder<T> {
  const qb = scopedQuery(repository, alias, actor);
  if (actor.role === 'staff') qb.andWhere(`${alias}.center_id = ANY(:staffCenterIds)`, { staffCenterIds: actor.centerIds });
  return qb;
}
