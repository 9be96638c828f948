import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { JobName, QueueName } from '../infra/queue/queue-name';
import { ReservationsService } from '../reservations/reservations.service';
import { SamplesService } from '../samples/samples.service';
import { WaitlistService } from '../waitlist/waitlist.service';

const EVERY_MINUTE = 60_000;
const EVERY_DAY = 24 * 60 * EVERY_MINUTE;

/**
 * Periodic housekeeping. The schedulers are upserted by every worker but stored once in the
 * queue backend, so the fleet runs each sweep once per period; every change inside a sweep
 * takes its row lock, so an overlapping sweep is harmless.
 */
@Processor(QueueName.Scheduled)
export class ScheduledTasksProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduledTasksProcessor.name);

  constructor(
    @InjectQueue(QueueName.Scheduled) private readonly scheduled: Queue,
    private readonly reservations: ReservationsService,
    private readonly waitlist: WaitlistService,
    private readonly samples: SamplesService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertSchedulers();
  }

  /**
   * Creates the schedulers. QueueRecovery calls it again with `onlyMissing`, in case the queue
   * store lost them; an existing scheduler is then left alone, so its next run does not move.
   */
  async upsertSchedulers(onlyMissing = false): Promise<void> {
    const schedules: [JobName, number][] = [
      [JobName.NoShowSweep, EVERY_MINUTE],
      [JobName.WaitlistExpirySweep, EVERY_MINUTE],
      [JobName.RetentionDigest, EVERY_DAY],
    ];
    for (const [name, every] of schedules) {
      if (onlyMissing && (await this.scheduled.getJobScheduler(name))) continue;
      await this.scheduled.upsertJobScheduler(name, { every }, { name, data: {} });
    }
  }

  async process(job: Job): Promise<{ changed: number }> {
    const now = new Date();
    switch (job.name) {
      case JobName.NoShowSweep: {
        const changed = await this.reservations.markNoShows(SYSTEM_ACTOR, now);
        if (changed) this.logger.log({ changed }, 'marked no-shows');
        return { changed };
      }
      case JobName.WaitlistExpirySweep: {
        const changed = await this.waitlist.expireOffers(now);
        if (changed) this.logger.log({ changed }, 'expired waitlist offers');
        return { changed };
      }
      case JobName.RetentionDigest: {
        const changed = await this.samples.queueRetentionDigests(now);
        if (changed) this.logger.log({ centers: changed }, 'queued retention reminders');
        return { changed };
      }
      default:
        throw new Error(`No handler for ${job.name} on ${QueueName.Scheduled}`);
    }
  }
}
