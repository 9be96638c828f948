import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { JobName, QueueName } from '../infra/queue/queue-name';
import { ReservationsService } from './reservations.service';

const SWEEP_EVERY_MS = 60_000;

/**
 * Marks confirmed bookings nobody checked in to, once their start plus the equipment's grace
 * period has passed. One scheduler for the whole fleet (upserted by every worker, stored once in
 * the queue backend); each reservation changes under its own lock, so overlapping sweeps are harmless.
 */
@Processor(QueueName.Scheduled)
export class NoShowProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(NoShowProcessor.name);

  constructor(
    @InjectQueue(QueueName.Scheduled) private readonly scheduled: Queue,
    private readonly reservations: ReservationsService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduled.upsertJobScheduler(JobName.NoShowSweep, { every: SWEEP_EVERY_MS }, { name: JobName.NoShowSweep, data: {} });
  }

  async process(job: Job): Promise<{ marked: number }> {
    if (job.name !== JobName.NoShowSweep) throw new Error(`No handler for ${job.name} on ${QueueName.Scheduled}`);
    const marked = await this.reservations.markNoShows(SYSTEM_ACTOR, new Date());
    if (marked) this.logger.log({ marked }, 'marked no-shows');
    return { marked };
  }
}
