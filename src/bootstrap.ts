import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule, ProcessRoles } from './app.module';
import { ProblemFilter } from './common/errors/problem.filter';
import { assignRequestId } from './common/request/request-id';
import { createValidationPipe } from './common/validation/validation';
import { AppConfig, ConfigError, loadConfig } from './infra/config/app-config';
import { EmbeddedDatabase, startEmbeddedDatabase } from './infra/database/embedded-database';
import { runMigrations } from './infra/database/migration-runner';
import { MetricsService } from './metrics/metrics.service';
import { SeedService } from './seed/seed.service';

export const API_PREFIX = 'api/v1';
const JSON_BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP application (not yet listening): shared by the processes and the e2e tests. */
export async function createHttpApp(config: AppConfig, roles: ProcessRoles): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: JSON_BODY_LIMIT, trustProxy: process.env.TRUST_PROXY === 'true', genReqId: assignRequestId });
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // rawBody: signed callbacks are verified over the exact bytes received.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, roles), adapter, { bufferLogs: true, rawBody: true });
  app.useLogger(app.get(PinoLogger));
  await app.register(helmet as never, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`, `'unsafe-inline'`],
      },
    },
  });
  // The QR scan pages sign in with a cookie (their HTML forms are parsed by the adapter).
  await app.register(fastifyCookie as never);
  // Dataset uploads: parts are read as streams by the handler (limits are set per request there).
  await app.register(multipart as never);
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: false });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'health/ready', 'metrics', 'S/{*path}'] });
  const metrics = app.get(MetricsService);
  adapter.getInstance().addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids in paths would explode the label set.
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Foundry Hub API')
      .setDescription(
        'Booking, sample traceability and data handover for regional process innovation centers. ' +
          'Lists return `{ items, nextCursor }`; errors are RFC 9457 problem+json.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A JWT from POST /api/v1/auth/login, or an API key (fhk_…)' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

export interface RunningProcess {
  app: INestApplicationContext;
  config: AppConfig;
  stop(): Promise<void>;
}

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** SQLSTATEs and socket errors that mean the configured database cannot be used at all. */
const UNUSABLE_DATABASE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000']);

/** A database that cannot be reached is a configuration problem: one line, no stack trace. */
function exitIfUnreachable(error: unknown, config: AppConfig): never {
  const code = (error as { code?: string }).code;
  if (code && UNUSABLE_DATABASE.has(code)) {
    const where = config.embeddedDatabase ? 'the embedded PostgreSQL' : `DATABASE_URL (${new URL(config.databaseUrl).host})`;
    console.error(`Invalid configuration: cannot use ${where}: ${(error as Error).message}`);
    process.exit(78);
  }
  throw error;
}

/**
 * Starts a process with the given roles: migrations under an advisory lock, the first admin and
 * demo data, then the HTTP server and/or the worker. SIGTERM and SIGINT stop it gracefully.
 */
export async function startProcess(roles: ProcessRoles): Promise<RunningProcess> {
  const startedAt = Date.now();
  const config = configOrExit();
  let embedded: EmbeddedDatabase | null = null;
  if (config.embeddedDatabase) {
    embedded = await startEmbeddedDatabase(config.dataDir, config.embeddedPostgresPort);
    config.databaseUrl = embedded.url;
  }
  await runMigrations(config.databaseUrl).catch((error: unknown) => exitIfUnreachable(error, config));

  let app: INestApplicationContext;
  if (roles.api) {
    const http = await createHttpApp(config, roles);
    await http.init();
    app = http;
  } else {
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, roles), { bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    await app.init();
  }
  const logger = app.get(PinoLogger);
  // Seed before listening, so that "ready" means the demo sign-in works.
  const { demoSeeded } = roles.api ? await app.get(SeedService).onStart() : { demoSeeded: false };
  if (roles.api) await (app as NestFastifyApplication).listen({ port: config.port, host: config.host });

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.log('Shutting down: no new requests; waiting for in-flight requests and jobs');
      const deadline = setTimeout(() => {
        logger.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      await app.close();
      await embedded?.stop();
      clearTimeout(deadline);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void stop().then(() => process.exit(0)));
  }

  const what = [roles.api && 'API', roles.worker && 'worker'].filter(Boolean).join(' + ');
  logger.log(`Foundry Hub ${what} ready in ${Date.now() - startedAt} ms${embedded ? ' (embedded PostgreSQL under ' + config.dataDir + ')' : ''}`);
  if (roles.api) printWelcome(config, demoSeeded, config.demoSeed ? await app.get(SeedService).demoLabel() : null);
  return { app, config, stop };
}

function printWelcome(config: AppConfig, demoSeeded: boolean, demoLabel: string | null): void {
  const base = `http://localhost:${config.port}`;
  const lines = [
    '',
    `  Foundry Hub is running at ${base}`,
    `  API docs:   ${base}/docs   (OpenAPI JSON: ${base}/docs-json)`,
    `  Health:     ${base}/health/ready`,
  ];
  if (config.demoSeed) {
    lines.push(
      `  Demo sign-in${demoSeeded ? ' (just created)' : ''}: admin@foundry-hub.local / foundry-hub-admin`,
      '              staff@foundry-hub.local / foundry-hub-staff, member@tsukuba-photonics.example / foundry-hub-member',
      `  Try:  curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\`,
      `          -d '{"email":"admin@foundry-hub.local","password":"foundry-hub-admin"}'`,
    );
    if (demoLabel) lines.push(`  Scan page of a demo sample (what its QR label opens): ${base}/S/${demoLabel}`);
  }
  console.log(lines.join('\n') + '\n');
}
