import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Turns a raw row (database column names, as `RETURNING *` or a hand-written SELECT gives it)
 * into an entity, with the same conversions TypeORM applies when it loads one. Hot paths use it
 * to write or lock a row in one round trip instead of a statement plus a reload.
 */
export function hydrate<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = em.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    // Columns marked `select: false` (password hashes, stored ranges) stay out, as in a normal load.
    if (column.isSelect && column.databaseName in row) column.setEntityValue(entity, em.connection.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}
