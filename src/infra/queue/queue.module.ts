import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { createPostgresBackend, setDefaultBackendFactory } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { defaultJobOptions, QueueName } from './queue-name';

/**
 * BullMQ on Redis when REDIS_URL is set, otherwise on BullMQ's PostgreSQL backend in the
 * application's own database: one job code path, no extra server for the default.
 */
export function queueConnection(config: AppConfig): Record<string, unknown> {
  if (config.redisUrl) {
    const url = new URL(config.redisUrl);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
    };
  }
  return { connectionString: config.databaseUrl, migrate: true, max: 10 };
}

@Global()
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig, prefix = 'foundry'): DynamicModule {
    // The backend factory is process-wide in BullMQ: choose it before any queue is built.
    setDefaultBackendFactory(config.redisUrl ? undefined : (createPostgresBackend as never));
    const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));
    return {
      module: QueueModule,
      imports: [
        BullModule.forRoot({
          connection: queueConnection(config) as never,
          prefix,
          defaultJobOptions: defaultJobOptions(config.jobBackoffMs) as never,
        }),
        ...queues,
      ],
      exports: queues,
    };
  }
}
