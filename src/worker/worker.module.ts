import { Module, Type } from '@nestjs/common';
import { QueueName } from '../infra/queue/queue-name';
import { MailProcessor } from '../mail/mail.processor';
import { OutboxRelay } from '../outbox/outbox.relay';

/** One processor per queue; the Record type makes a queue without a processor a compile error. */
const PROCESSORS: Record<QueueName, Type> = {
  [QueueName.Mail]: MailProcessor,
};

/** What only a worker process runs: the outbox relay and the job processors. */
@Module({ providers: [OutboxRelay, ...Object.values(PROCESSORS)] })
export class WorkerModule {}
