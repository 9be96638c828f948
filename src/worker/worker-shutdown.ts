import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';

/**
 * Stops the workers first on shutdown: each finishes its active job while the queues and the
 * database pool it needs are still open (a job may enqueue another, e.g. a mail). Only then do
 * the queues and pools close in the ordinary shutdown order.
 */
export const WORKER_PROCESSORS = Symbol('WORKER_PROCESSORS');

@Injectable()
export class WorkerShutdown implements BeforeApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(WORKER_PROCESSORS) private readonly processors: Type<WorkerHost>[],
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.processors.map(async (processor) => {
        const host = this.moduleRef.get(processor, { strict: false });
        await host.worker?.close();
      }),
    );
  }
}
