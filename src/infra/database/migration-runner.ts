import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, MigrationInterface } from 'typeorm';
import { Client } from 'pg';

/** Arbitrary but fixed: every replica takes the same lock before migrating. */
export const MIGRATION_LOCK_ID = 7_461_002_001;

type MigrationClass = new () => MigrationInterface;

/**
 * Finds the migration classes: `dist/migrations/*.js` in a build, `migrations/*.ts` when the
 * sources run directly (tests).
 */
export function loadMigrationClasses(): MigrationClass[] {
  const candidates = [join(__dirname, '..', '..', 'migrations'), join(__dirname, '..', '..', '..', 'migrations')];
  const pattern = /^\d+-[\w-]+\.(js|ts)$/;
  const dir = candidates.find((candidate) => existsSync(candidate) && readdirSync(candidate).some((f) => pattern.test(f)));
  if (!dir) throw new Error(`No migrations found in ${candidates.join(' or ')}`);
  return readdirSync(dir)
    .filter((file) => pattern.test(file) && !file.endsWith('.d.ts'))
    .sort()
    .flatMap((file) => Object.values(require(join(dir, file)) as Record<string, unknown>))
    .filter((value): value is MigrationClass => typeof value === 'function');
}

/**
 * Applies pending migrations while holding a session-level advisory lock, so replicas that
 * start together migrate once: the others wait, then find nothing left to do.
 */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const lockClient = new Client({ connectionString: databaseUrl, application_name: 'foundry-hub-migrations' });
  await lockClient.connect();
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: loadMigrationClasses(),
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    logging: false,
  });
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockClient.end();
  }
}
