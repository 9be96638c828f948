import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { format } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import { Job, Queue } from 'bullmq';
import { Repository } from 'typeorm';
import { BillingService } from '../billing/billing.service';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { EquipmentService, EquipmentWithTimezone } from '../equipment/equipment.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { JobName, QueueName, ReservationEventJob, SendMailJob } from '../infra/queue/queue-name';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectsService } from '../projects/projects.service';
import { UsersService } from '../users/users.service';
import { WaitlistService } from '../waitlist/waitlist.service';
import { ReservationUsage } from './reservation-usage.entity';
import { Reservation } from './reservation.entity';

const STATUS_JA: Record<string, string> = {
  pending: '承認待ち',
  confirmed: '確定',
  rejected: '却下',
  cancelled: 'キャンセル',
  in_use: '使用中',
  completed: '完了',
  no_show: '不参加',
};

/** Events after which time on the tool may be free again. */
const FREES_TIME: ReservationEventJob['event'][] = ['reservation.cancelled', 'reservation.rejected', 'reservation.no_show', 'reservation.moved', 'reservation.completed'];

/** Events after which a booking may cost something: used time, a no-show, a late cancellation. */
const BILLED: ReservationEventJob['event'][] = ['reservation.completed', 'reservation.no_show', 'reservation.cancelled'];

/** Events the booker hears about by mail. */
const NOTIFIED: ReservationEventJob['event'][] = ['reservation.created', 'reservation.confirmed', 'reservation.rejected', 'reservation.cancelled', 'reservation.no_show', 'reservation.moved'];

/**
 * Consumes reservation events from the outbox: records what a finished booking costs (billing),
 * offers freed time to the waitlist and notifies the booker; the mail job's id is derived from
 * the event's outbox id, so a retried event mails once.
 */
@Processor(QueueName.ReservationEvents)
export class ReservationEventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @InjectRepository(Reservation) private readonly reservations: Repository<Reservation>,
    @InjectQueue(QueueName.Mail) private readonly mail: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly equipment: EquipmentService,
    private readonly metrics: MetricsService,
    private readonly waitlist: WaitlistService,
    private readonly billing: BillingService,
    private readonly projects: ProjectsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  @OnWorkerEvent('completed')
  onCompleted(): void {
    this.metrics.jobFinished(QueueName.ReservationEvents, 'completed');
  }

  @OnWorkerEvent('failed')
  onFailed(): void {
    this.metrics.jobFinished(QueueName.ReservationEvents, 'failed');
  }

  async process(job: Job<ReservationEventJob & { outboxId: string; requestId: string | null }>): Promise<{ notified: boolean }> {
    const reservation = await this.reservations.findOneBy({ id: job.data.reservationId });
    const billed = reservation?.kind === 'booking' && reservation.projectId !== null && BILLED.includes(job.data.event);
    const notified = reservation?.kind === 'booking' && NOTIFIED.includes(job.data.event);
    // The tool (with its center's zone) serves both the charge and the mail: read once.
    const tool = reservation && (billed || notified) ? await this.equipment.findWithTimezone(reservation.equipmentId) : null;
    // Charges first: if recording them fails, the job is retried before anything else happened (recording is idempotent).
    if (reservation && billed && tool) await this.charge(reservation, tool);
    // Time given back goes to the waitlist first.
    if (reservation && FREES_TIME.includes(job.data.event)) await this.waitlist.offerFreedTime(reservation.equipmentId);
    if (!reservation || !notified || !tool) return { notified: false };
    const user = await this.users.contactOf(reservation.userId);
    if (!user) return { notified: false };
    const timezone = tool.centerTimezone;
    const local = (date: Date) => format(new TZDate(date.getTime(), timezone), 'yyyy-MM-dd HH:mm');
    const mail: SendMailJob = {
      to: user.email,
      template: 'reservation-status',
      data: {
        displayName: user.displayName,
        equipment: `${tool.code} ${tool.nameEn}`,
        period: `${local(reservation.start)}–${local(reservation.end).slice(11)} ${timezone}`,
        status: reservation.status.replace('_', ' '),
        statusJa: STATUS_JA[reservation.status] ?? reservation.status,
        reason: reservation.statusReason ?? '',
        reservationId: reservation.id,
      },
    };
    const mailId = `${job.data.outboxId}`;
    await this.mail.add(JobName.SendMail, { ...mail, outboxId: mailId, requestId: job.data.requestId }, { jobId: `mail-${mailId}` });
    return { notified: true };
  }

  /** Hands billing the facts of a finished booking: its used time, the tool's rates and rules, the project's rate category. */
  private async charge(reservation: Reservation, tool: EquipmentWithTimezone): Promise<void> {
    const [usages, project] = await Promise.all([
      this.reservations.manager.find(ReservationUsage, { where: { reservationId: reservation.id }, order: { startedAt: 'ASC' } }),
      this.projects.get(SYSTEM_ACTOR, reservation.projectId!),
    ]);
    await this.billing.chargeReservation({ reservation, usages, equipment: tool, rateCategory: project.rateCategory, timezone: tool.centerTimezone });
  }
}
