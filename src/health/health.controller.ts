import { getQueueToken } from '@nestjs/bullmq';
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { Public } from '../common/auth/decorators';
import { AppError } from '../common/errors/app-error';
import { QueueName } from '../infra/queue/queue-name';

const CHECK_TIMEOUT_MS = 3000;

@ApiTags('ops')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database and the queue backend answer; otherwise 503 naming the failing part. */
  @Get('ready')
  async ready(): Promise<HealthCheckResult> {
    const queue = this.moduleRef.get<Queue>(getQueueToken(QueueName.Mail), { strict: false });
    try {
      return await this.health.check([
        () => this.database.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
        () =>
          this.indicators
            .check('queue')
            .attempt(async () => ({ waiting: (await queue.getJobCounts('waiting')).waiting }))
            .withTimeout(CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const failing = Object.keys(result.error ?? {});
      throw new AppError('unavailable', `not ready: ${failing.join(', ')} unreachable`, undefined, { checks: result.details });
    }
  }
}
