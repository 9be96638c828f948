import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Server } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/infra/config/app-config';
import { createTestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestAppOptions {
  /** Extra or overriding environment settings. */
  env?: Record<string, string>;
  /** Which queue backend the app uses; `redis` needs REDIS_URL. */
  queue?: 'postgres' | 'redis';
  /** Run the worker (outbox relay, processors) inside the test app. */
  worker?: boolean;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  server: Server;
  http: () => ReturnType<typeof request>;
  /** Signs an access token for a user id, as login would. */
  tokenFor(userId: string, role: string, expiresIn?: number): string;
  close(): Promise<void>;
}

/** The full application on its own fresh database, ready for supertest. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'foundry-hub-e2e-'));
  const useRedis = options.queue === 'redis';
  if (useRedis && !process.env.REDIS_URL && !options.env?.REDIS_URL) throw new Error('REDIS_URL is not set');
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: 'http://hub.test',
    LOGIN_LIMIT_PER_ACCOUNT: '1000',
    LOGIN_LIMIT_PER_IP: '100000',
    OUTBOX_POLL_MS: '50',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...(useRedis ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...options.env,
  });
  const app = await createHttpApp(config, { api: true, worker: options.worker ?? false, queuePrefix: database.name });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer() as Server;
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });
  return {
    app,
    config,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    server,
    http: () => request(server),
    tokenFor: (userId, role, expiresIn = 3600) => jwt.sign({ sub: userId, role }, { algorithm: 'HS256', expiresIn }),
    async close() {
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
