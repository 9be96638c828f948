import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QueueName } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Prometheus metrics of this process: HTTP latency by route, queue depth, job outcomes, outbox lag. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'foundry_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly jobs = new Counter({
    name: 'foundry_jobs_total',
    help: 'Jobs finished by this process, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    registers: [this.registry],
  });

  constructor(
    private readonly moduleRef: ModuleRef,
    outbox: OutboxService,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'foundry_' });
    const queueDepth = new Gauge({
      name: 'foundry_queue_jobs',
      help: 'Jobs per queue and state, read from the queue backend at scrape time',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      collect: async () => {
        for (const name of Object.values(QueueName)) {
          const counts = await this.queue(name).getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) queueDepth.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });
    const outboxPending = new Gauge({ name: 'foundry_outbox_pending', help: 'Outbox rows not yet relayed to a queue', registers: [this.registry] });
    new Gauge({
      name: 'foundry_outbox_lag_seconds',
      help: 'Age of the oldest outbox row not yet relayed',
      registers: [this.registry],
      async collect() {
        const stats = await outbox.stats();
        this.set(stats.oldestPendingSeconds);
        outboxPending.set(stats.pending);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  jobFinished(queue: QueueName, outcome: 'completed' | 'failed'): void {
    this.jobs.inc({ queue, outcome });
  }

  private queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}
