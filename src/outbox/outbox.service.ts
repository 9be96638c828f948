import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hydrate } from '../infra/database/hydrate';
import { JOB_QUEUE, JobName, JobPayloads } from '../infra/queue/queue-name';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxStats {
  pending: number;
  oldestPendingSeconds: number;
}

/**
 * Writes jobs into the outbox inside the caller's transaction: a commit never loses its job,
 * and a rolled-back change never runs one. The relay moves rows to the queue afterwards.
 */
@Injectable()
export class OutboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add<N extends JobName>(em: EntityManager, name: N, payload: JobPayloads[N], requestId?: string): Promise<OutboxMessage> {
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(OutboxMessage)
      .values({ queue: JOB_QUEUE[name], jobName: name, payload: payload as never, requestId: requestId ?? null })
      .returning('*')
      .execute();
    return hydrate(em, OutboxMessage, (inserted.raw as Record<string, unknown>[])[0]);
  }

  async stats(): Promise<OutboxStats> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS lag
         FROM outbox WHERE dispatched_at IS NULL`,
    )) as { pending: number; lag: number }[];
    return { pending: row.pending, oldestPendingSeconds: row.lag };
  }
}
