import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AnalysisServicesModule } from './analysis-services/analysis-services.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BillingModule } from './billing/billing.module';
import { CalendarsModule } from './calendars/calendars.module';
import { CentersModule } from './centers/centers.module';
import { CommonModule } from './common/common.module';
import { assignRequestId } from './common/request/request-id';
import { DatasetsModule } from './datasets/datasets.module';
import { EquipmentModule } from './equipment/equipment.module';
import { HandoversModule } from './handovers/handovers.module';
import { HealthModule } from './health/health.module';
import { LabelsModule } from './labels/labels.module';
import { LocationsModule } from './locations/locations.module';
import { AppConfig } from './infra/config/app-config';
import { ConfigModule } from './infra/config/config.module';
import { QueueModule } from './infra/queue/queue.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { MetricsModule } from './metrics/metrics.module';
import { OutboxModule } from './outbox/outbox.module';
import { ProjectsModule } from './projects/projects.module';
import { QualificationsModule } from './qualifications/qualifications.module';
import { ReservationsModule } from './reservations/reservations.module';
import { WaitlistModule } from './waitlist/waitlist.module';
import { SamplesModule } from './samples/samples.module';
import { ScanPagesModule } from './scan-pages/scan-pages.module';
import { SeedModule } from './seed/seed.module';
import { UsersModule } from './users/users.module';
import { WorkerModule } from './worker/worker.module';

export interface ProcessRoles {
  api: boolean;
  worker: boolean;
  /** Queue namespace; tests give each file its own so they never share jobs. */
  queuePrefix?: string;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, roles: ProcessRoles): DynamicModule {
    const apiModules = [AuthModule, UsersModule, OrganizationsModule, CentersModule, ProjectsModule, ApiKeysModule, EquipmentModule, QualificationsModule, ReservationsModule, WaitlistModule, CalendarsModule, LabelsModule, LocationsModule, SamplesModule, ScanPagesModule, DatasetsModule, HandoversModule, AnalysisServicesModule, BillingModule, AuditModule, HealthModule];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req) => (req as { id?: string }).id ?? assignRequestId(req),
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
            customProps: (req) => ({ actorId: (req as { actorId?: string }).actorId }),
            // One compact line per request: no header dumps (secrets stay out, lines stay short).
            serializers: {
              req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                // Calendar feed URLs carry their secret token.
                url: req.url.replace(/(\/calendars\/)[^/?.]+/, '$1[redacted]'),
                remoteAddress: req.remoteAddress,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
          // Probes would drown the access log.
          exclude: [{ path: 'health', method: RequestMethod.ALL }, { path: 'health/ready', method: RequestMethod.ALL }, { path: 'metrics', method: RequestMethod.ALL }],
        }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.databaseUrl,
          autoLoadEntities: true,
          synchronize: false,
          migrationsRun: false,
          extra: { max: 20, application_name: roles.api ? 'foundry-hub-api' : 'foundry-hub-worker' },
        }),
        QueueModule.forRoot(config, roles.queuePrefix),
        OutboxModule,
        MetricsModule,
        SeedModule,
        ...(roles.api ? apiModules : []),
        ...(roles.worker ? [WorkerModule] : []),
      ],
    };
  }
}
