import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { HandoversService } from '../handovers/handovers.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { QueueName } from '../infra/queue/queue-name';
import { ScheduledTasksProcessor } from './scheduled-tasks.processor';

/**
 * Puts back what a queue store lost. A Redis restarted without persistence comes back empty:
 * the periodic schedulers are gone, and so are jobs already relayed from the outbox. A plain
 * timer (not a queue job, which would be lost too) re-upserts the schedulers and re-queues
 * handovers in flight whose job has vanished.
 */
@Injectable()
export class QueueRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueRecovery.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Handovers) private readonly handoverQueue: Queue,
    private readonly handovers: HandoversService,
    private readonly scheduled: ScheduledTasksProcessor,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.check()
        .catch((error: unknown) => this.logger.error({ err: error }, 'queue recovery failed'))
        .finally(() => (this.running = null));
    }, this.config.queueRecoveryMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async check(): Promise<void> {
    await this.scheduled.upsertSchedulers(true);
    // Quiet for twice the check period (and at least the job lock): a job still on its way is never doubled.
    await this.handovers.recoverLostJobs(this.handoverQueue, Math.max(2 * this.config.queueRecoveryMs, this.config.workerLockMs));
  }
}
