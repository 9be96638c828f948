import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { APP_CONFIG, AppConfig, workerLockMsFromEnv } from '../infra/config/app-config';
import { QueueName } from '../infra/queue/queue-name';
import { MetricsService } from '../metrics/metrics.service';
import { HandoversService } from './handovers.service';

type HandoverJob = Job<{ handoverId: string; outboxId: string }>;

/** Builds and delivers packages; BullMQ retries with exponential backoff, the last failure marks the handover failed. */
// A dead worker's job is taken over once its lock expires and the stalled check runs.
@Processor(QueueName.Handovers, { lockDuration: workerLockMsFromEnv(), stalledInterval: workerLockMsFromEnv() })
export class HandoverProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handovers: HandoversService,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  async process(job: HandoverJob): Promise<void> {
    await this.handovers.deliver(job.data.handoverId, job.attemptsMade + 1);
  }

  @OnWorkerEvent('completed')
  onCompleted(): void {
    this.metrics.jobFinished(QueueName.Handovers, 'completed');
  }

  @OnWorkerEvent('failed')
  async onFailed(job: HandoverJob | undefined, error: Error): Promise<void> {
    this.metrics.jobFinished(QueueName.Handovers, 'failed');
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) await this.handovers.markFailed(job.data.handoverId, error.message);
  }
}
