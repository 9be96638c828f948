import { WorkerHost } from '@nestjs/bullmq';
import { Module, Type } from '@nestjs/common';
import { AnalysisServicesModule } from '../analysis-services/analysis-services.module';
import { ServiceReportProcessor } from '../analysis-services/service-report.processor';
import { BillingModule } from '../billing/billing.module';
import { HandoverProcessor } from '../handovers/handover.processor';
import { HandoversModule } from '../handovers/handovers.module';
import { QueueName } from '../infra/queue/queue-name';
import { MailProcessor } from '../mail/mail.processor';
import { OutboxRelay } from '../outbox/outbox.relay';
import { ReservationEventsProcessor } from '../reservations/reservation-events.processor';
import { ReservationsModule } from '../reservations/reservations.module';
import { SamplesModule } from '../samples/samples.module';
import { WaitlistOfferProcessor } from '../waitlist/waitlist-offer.processor';
import { WaitlistModule } from '../waitlist/waitlist.module';
import { QueueRecovery } from './queue-recovery';
import { ScheduledTasksProcessor } from './scheduled-tasks.processor';
import { WORKER_PROCESSORS, WorkerShutdown } from './worker-shutdown';
import { Reservation } from '../reservations/reservation.entity';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { CentersModule } from '../centers/centers.module';
import { ProjectsModule } from '../projects/projects.module';

/** One processor per queue; the Record type makes a queue without a processor a compile error. */
const PROCESSORS: Record<QueueName, Type<WorkerHost>> = {
  [QueueName.Mail]: MailProcessor,
  [QueueName.ReservationEvents]: ReservationEventsProcessor,
  [QueueName.Waitlist]: WaitlistOfferProcessor,
  [QueueName.Scheduled]: ScheduledTasksProcessor,
  [QueueName.Handovers]: HandoverProcessor,
  [QueueName.Documents]: ServiceReportProcessor,
};

/** What only a worker process runs: the outbox relay and the job processors. */
@Module({
  // What the processors read: each reads its own context's tables and calls other contexts' services.
  imports: [TypeOrmModule.forFeature([Reservation]), UsersModule, EquipmentModule, CentersModule, ReservationsModule, WaitlistModule, SamplesModule, HandoversModule, AnalysisServicesModule, BillingModule, ProjectsModule],
  providers: [OutboxRelay, WorkerShutdown, QueueRecovery, { provide: WORKER_PROCESSORS, useValue: Object.values(PROCESSORS) }, ...Object.values(PROCESSORS)],
})
export class WorkerModule {}
