import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { EquipmentService } from '../equipment/equipment.service';
import { JobName, QueueName } from '../infra/queue/queue-name';
import { UsersService } from '../users/users.service';
import { WaitlistService } from './waitlist.service';

/** Tells the person waiting about an offer; the mail job id follows the event's outbox id. */
@Processor(QueueName.Waitlist)
export class WaitlistOfferProcessor extends WorkerHost {
  constructor(
    @InjectQueue(QueueName.Mail) private readonly mail: Queue,
    private readonly waitlist: WaitlistService,
    private readonly users: UsersService,
    private readonly equipment: EquipmentService,
  ) {
    super();
  }

  async process(job: Job<{ entryId: string; outboxId: string; requestId: string | null }>): Promise<{ notified: boolean }> {
    const entry = await this.waitlist.get(SYSTEM_ACTOR, job.data.entryId);
    if (entry.status !== 'offered' || !entry.offeredStart || !entry.offeredEnd || !entry.offerExpiresAt) return { notified: false };
    const [user, tool] = await Promise.all([this.users.get(SYSTEM_ACTOR, entry.userId), this.equipment.get(SYSTEM_ACTOR, entry.equipmentId)]);
    await this.mail.add(
      JobName.SendMail,
      {
        to: user.email,
        template: 'waitlist-offer',
        data: {
          displayName: user.displayName,
          equipment: `${tool.code} ${tool.nameEn}`,
          period: `${entry.offeredStart.toISOString()} – ${entry.offeredEnd.toISOString()}`,
          expiresAt: entry.offerExpiresAt.toISOString(),
          entryId: entry.id,
        },
        outboxId: job.data.outboxId,
        requestId: job.data.requestId,
      },
      { jobId: `mail-${job.data.outboxId}` },
    );
    return { notified: true };
  }
}
