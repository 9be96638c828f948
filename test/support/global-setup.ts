import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresBackend, Queue } from 'bullmq';
import { startEmbeddedDatabase } from '../../src/infra/database/embedded-database';
import { runMigrations } from '../../src/infra/database/migration-runner';
import { ensureSystemTools } from './system-tools';
import { recreateTemplate, withDatabase } from './test-database';

/**
 * Prepares one migrated template database; every e2e file clones it, so files run in parallel
 * and leave nothing behind. Without DATABASE_URL an embedded PostgreSQL serves the run.
 */
export default async function globalSetup(): Promise<void> {
  ensureSystemTools();
  if (!process.env.DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), 'foundry-hub-test-'));
    const embedded = await startEmbeddedDatabase(dataDir, 56000 + (process.pid % 1000));
    (globalThis as Record<string, unknown>).__FOUNDRY_EMBEDDED__ = { embedded, dataDir };
    process.env.DATABASE_URL = embedded.url;
  }
  const template = `foundry_hub_template_${process.pid}`;
  process.env.FOUNDRY_TEST_TEMPLATE = template;
  await recreateTemplate(template);
  const url = withDatabase(process.env.DATABASE_URL, template);
  await runMigrations(url);
  // BullMQ's PostgreSQL backend creates its schema on first use: once here, not in every file.
  const queue = new Queue('template-warm-up', { connection: { connectionString: url, migrate: true } as never }, createPostgresBackend as never);
  await queue.waitUntilReady();
  await queue.close();
}
