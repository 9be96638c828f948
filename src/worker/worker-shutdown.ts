import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';

/**
 * Stops the workers first on shutdown: each finishes its active job while the queues and the
 * database pool it needs are still open (a job may enqueue another, e.g. a mail). Only then do
 * the queues and pools close in the ordinary shutdown order.
 */
export const WORKER_PROCESSORS = Symbol('WORKER_PROCESSORS');

@Injectable()
export class WorkerShutdown implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(WORKER_PROCESSORS) private readonly processors: Type<WorkerHost>[],
  ) {}

  /**
   * A worker reports trouble with its queue store (Redis gone, a job's keys lost) as an `error`
   * event; without a listener Node would throw it and end the process. It is logged instead,
   * and the worker carries on once the store is back (QueueRecovery re-queues what was lost).
   */
  onApplicationBootstrap(): void {
    for (const processor of this.processors) {
      const host = this.moduleRef.get(processor, { strict: false });
      host.worker?.on('error', (error: Error) => this.logger.error({ err: error, queue: host.worker.name }, 'queue worker error'));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.processors.map(async (processor) => {
        const host = this.moduleRef.get(processor, { strict: false });
        await host.worker?.close();
      }),
    );
  }
}
