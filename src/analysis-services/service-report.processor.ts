import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { QueueName } from '../infra/queue/queue-name';
import { MetricsService } from '../metrics/metrics.service';
import { ServiceDocumentsService } from './service-documents.service';

type RenderReportJob = Job<{ reportId: string; outboxId: string; requestId: string | null }>;

/**
 * Renders approved service reports to PDF files in the worker, so that a batch of long reports
 * never slows the API. Idempotent: a revision already rendered is skipped.
 */
@Processor(QueueName.Documents)
export class ServiceReportProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ServiceReportProcessor.name);

  constructor(
    private readonly documents: ServiceDocumentsService,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  /**
   * One report at a time: rendering is CPU work on this process's one thread, so rendering
   * several at once is no faster, and each would add its page to every wait of the event loop.
   * More throughput comes from more worker processes.
   */
  onApplicationBootstrap(): void {
    this.worker.concurrency = 1;
  }

  async process(job: RenderReportJob): Promise<{ rendered: boolean; sha256: string | null }> {
    const result = await this.documents.renderReport(job.data.reportId);
    if (result.rendered) this.logger.log({ reportId: job.data.reportId, sha256: result.sha256, requestId: job.data.requestId }, 'service report rendered');
    return result;
  }

  @OnWorkerEvent('completed')
  onCompleted(): void {
    this.metrics.jobFinished(QueueName.Documents, 'completed');
  }

  @OnWorkerEvent('failed')
  onFailed(): void {
    this.metrics.jobFinished(QueueName.Documents, 'failed');
  }
}
