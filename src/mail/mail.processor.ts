import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { QueueName, SendMailJob } from '../infra/queue/queue-name';
import { MetricsService } from '../metrics/metrics.service';
import { renderMail } from './mail-templates';

type MailJobData = SendMailJob & { outboxId: string; requestId: string | null };

/**
 * Sends mail through SMTP_URL, or writes it as an .eml file under DATA_DIR/mail when no SMTP
 * server is configured. The outbox id keys `sent_mails`, so a retried job sends once.
 */
@Processor(QueueName.Mail)
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MailProcessor.name);
  private readonly transport: Transporter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {
    super();
    this.transport = config.smtpUrl ? createTransport(config.smtpUrl) : createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  @OnWorkerEvent('completed')
  onCompleted(): void {
    this.metrics.jobFinished(QueueName.Mail, 'completed');
  }

  @OnWorkerEvent('failed')
  onFailed(): void {
    this.metrics.jobFinished(QueueName.Mail, 'failed');
  }

  async process(job: Job<MailJobData>): Promise<{ sent: boolean }> {
    const { outboxId } = job.data;
    const [already] = (await this.dataSource.query('SELECT 1 FROM sent_mails WHERE outbox_id = $1', [outboxId])) as unknown[];
    if (already) return { sent: false };

    const mail = renderMail(job.data, this.config.publicUrl);
    const info = (await this.transport.sendMail({ from: this.config.mailFrom, to: job.data.to, subject: mail.subject, text: mail.text })) as { message?: Buffer };
    if (!this.config.smtpUrl) {
      const dir = join(this.config.dataDir, 'mail');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${outboxId}.eml`), info.message ?? '');
    }
    await this.dataSource.query(
      'INSERT INTO sent_mails (outbox_id, recipient, subject, transport) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [outboxId, job.data.to, mail.subject, this.config.smtpUrl ? 'smtp' : 'file'],
    );
    this.logger.log({ outboxId, requestId: job.data.requestId, to: job.data.to }, 'mail sent');
    return { sent: true };
  }
}
