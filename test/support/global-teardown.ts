import { rmSync } from 'node:fs';
import type { EmbeddedDatabase } from '../../src/infra/database/embedded-database';
import { dropTemplate } from './test-database';

export default async function globalTeardown(): Promise<void> {
  if (process.env.FOUNDRY_TEST_TEMPLATE) await dropTemplate(process.env.FOUNDRY_TEST_TEMPLATE);
  const started = (globalThis as Record<string, unknown>).__FOUNDRY_EMBEDDED__ as { embedded: EmbeddedDatabase; dataDir: string } | undefined;
  if (started) {
    await started.embedded.stop();
    rmSync(started.dataDir, { recursive: true, force: true });
  }
}
