import { getQueueToken } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { JOB_OPTIONS, JobName, QueueName } from '../infra/queue/queue-name';

const BATCH = 200;

/**
 * Moves committed outbox rows to their queues. Rows are claimed with SKIP LOCKED, so several
 * workers relay side by side; the job id is the outbox id, so a row relayed twice (after a
 * crash between enqueue and commit) is still one job.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Stops before the database pool closes, letting a batch in flight commit. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.relayOnce()
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'outbox relay failed');
          return 0;
        })
        .then((count) => {
          this.running = null;
          // A full batch means more may be waiting: go again at once.
          this.schedule(count === BATCH ? 0 : this.config.outboxPollMs);
          return count;
        });
    }, delay);
  }

  /** Relays one batch; returns how many rows it moved. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const rows = (await em.query(
        `SELECT id, queue, job_name, payload, request_id FROM outbox
          WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      )) as { id: string; queue: QueueName; job_name: string; payload: Record<string, unknown>; request_id: string | null }[];
      const dispatched: string[] = [];
      // One bulk add per queue: a single statement on the PostgreSQL backend, one round trip on Redis.
      const byQueue = new Map<QueueName, typeof rows>();
      for (const row of rows) {
        const batch = byQueue.get(row.queue);
        if (batch) batch.push(row);
        else byQueue.set(row.queue, [row]);
      }
      for (const [queueName, batch] of byQueue) {
        const ids = batch.map((row) => row.id);
        try {
          const queue = this.moduleRef.get<Queue>(getQueueToken(queueName), { strict: false });
          await queue.addBulk(
            batch.map((row) => ({ name: row.job_name, data: { ...row.payload, outboxId: row.id, requestId: row.request_id }, opts: { ...JOB_OPTIONS[row.job_name as JobName], jobId: row.id } })),
          );
          dispatched.push(...ids);
        } catch (error) {
          await em.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)', [ids, String(error)]);
        }
      }
      if (dispatched.length) await em.query('UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1 WHERE id = ANY($1)', [dispatched]);
      return rows.length;
    });
  }
}
