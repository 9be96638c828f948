import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Queue } from 'bullmq';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter, SYSTEM_ACTOR } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page, PageQueryDto } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { DatasetsService, DatasetView } from '../datasets/datasets.service';
import { DatasetPackageService } from '../datasets/package/dataset-package.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { JobName } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';
import { BuiltPackage, deliverFolder, deliverHttp, DeliveryOutcome, pollHttp } from './delivery';
import { CreateHandoverTargetDto, HandoverCallbackDto, ReleaseHandoverDto, RequestHandoverDto } from './dto/handover.dto';
import { HandoverTarget } from './handover-target.entity';
import { Handover } from './handover.entity';
import { verifySignature } from './signature';

/** States in which the worker still has something to do. */
const IN_FLIGHT = ['queued', 'packaging', 'sending'];

/**
 * Hands dataset versions over to the DX platform. A request creates the handover and its
 * outbox row in one transaction (or holds it at a gate); the worker builds the package,
 * whose SHA-256 is the idempotency key, and delivers it; the platform's callbacks move it on.
 * Every gate decision is an audit entry.
 */
@Injectable()
export class HandoversService {
  private readonly logger = new Logger(HandoversService.name);

  constructor(
    @InjectRepository(Handover) private readonly handovers: Repository<Handover>,
    @InjectRepository(HandoverTarget) private readonly targets: Repository<HandoverTarget>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly datasets: DatasetsService,
    private readonly packages: DatasetPackageService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  // ---------------------------------------------------------------- targets (admin)

  listTargets(): Promise<HandoverTarget[]> {
    return this.targets.find({ order: { name: 'ASC' } });
  }

  async createTarget(actor: Actor, dto: CreateHandoverTargetDto): Promise<HandoverTarget> {
    if (dto.kind === 'http' && (!dto.url || !dto.secret)) throw AppError.badInput(dto.url ? 'secret' : 'url', 'is required for an http target');
    if (dto.kind === 'folder' && !dto.folder) throw AppError.badInput('folder', 'is required for a folder target');
    return this.dataSource.transaction(async (em) => {
      if (dto.default) await em.query('UPDATE handover_targets SET is_default = false WHERE is_default');
      // The secret is a select: false column: it stays out of the answer and the audit entry.
      return this.audit.insert(em, actor, HandoverTarget, 'handover_target', {
        name: dto.name,
        kind: dto.kind,
        url: dto.url ?? null,
        secret: dto.secret ?? null,
        folder: dto.folder ?? null,
        abroad: dto.abroad ?? false,
        openRepository: dto.openRepository ?? false,
        isDefault: dto.default ?? false,
      });
    });
  }

  // ---------------------------------------------------------------- handovers

  list(actor: Actor, query: PageQueryDto): Promise<Page<Handover>> {
    const qb = scopedQuery(this.handovers, 'h', actor);
    return this.cursors.paginate(
      qb,
      [
        { column: 'h.created_at', value: (h) => h.createdAt.toISOString(), direction: 'DESC' },
        { column: 'h.id', value: (h) => h.id, direction: 'DESC' },
      ],
      query,
    );
  }

  get(actor: Actor, id: string): Promise<Handover> {
    return findScopedOrFail(this.handovers, actor, id, 'handover');
  }

  /**
   * The handover, after asking an HTTP target how far the platform has got with it (for a
   * delivered or registered package): a target that answers moves it on, as a callback would.
   * A target that does not answer, or does not support asking, leaves it as it is.
   */
  async getAndPoll(actor: Actor, id: string): Promise<Handover> {
    const handover = await this.get(actor, id);
    if (!['delivered', 'registered'].includes(handover.state)) return handover;
    const target = await this.targets.createQueryBuilder('t').addSelect('t.secret').where('t.id = :id', { id: handover.targetId }).getOne();
    if (target?.kind !== 'http') return handover;
    const dataset = await this.datasets.get(SYSTEM_ACTOR, handover.datasetId);
    const status = await pollHttp(target.url!, target.secret!, { datasetUuid: dataset.seriesId, version: dataset.version }).catch((error: unknown) => {
      this.logger.warn({ err: error, handoverId: id }, 'the target could not be asked about a handover');
      return null;
    });
    const order = ['delivered', 'registered', 'published'];
    if (!status || !order.includes(status.status) || order.indexOf(status.status) <= order.indexOf(handover.state)) return handover;
    await this.transition(id, { state: status.status as Handover['state'], remoteId: status.remoteId ?? handover.remoteId }, `polled_${status.status}`);
    return this.get(actor, id);
  }

  /**
   * Requests the delivery of a dataset version (its owner organization or staff). Data whose
   * export control is not `not-applicable` is held for staff; closed data never goes to an
   * open repository; a version already on its way (or held) to the target is a 409.
   */
  async request(actor: Actor, datasetId: string, dto: RequestHandoverDto): Promise<Handover> {
    const dataset = await this.datasets.get(actor, datasetId);
    if (actor.role === 'staff' && !canManageCenter(actor, dataset.centerId)) throw AppError.forbidden('Only staff of the center holding the data may hand it over');
    const target = dto.targetId ? await this.targets.findOneBy({ id: dto.targetId }) : await this.targets.findOneBy({ isDefault: true });
    if (!target) throw AppError.badInput('targetId', dto.targetId ? 'no such handover target' : 'there is no default target; name one');
    if (target.openRepository && dataset.accessClass === 'closed') {
      throw new AppError('invalid-transition', `${target.name} is an open repository; closed data never goes there`, [{ field: 'targetId', message: 'is an open repository' }]);
    }
    const hold = this.holdReason(dataset, target);
    return this.dataSource
      .transaction(async (em) => {
        const handover = await this.audit.insert(em, actor, Handover, 'handover', {
          datasetId: dataset.id,
          targetId: target.id,
          organizationId: dataset.organizationId,
          state: hold ? 'held' : 'queued',
          holdReason: hold,
          createdBy: actor.userId,
        });
        if (!hold) await this.outbox.add(em, JobName.HandoverDeliver, { handoverId: handover.id }, actor.requestId);
        return handover;
      })
      .catch((error: unknown) => {
        if ((error as { driverError?: { constraint?: string } }).driverError?.constraint === 'uq_handovers_live') {
          throw AppError.conflict(`This version is already handed over (or held) for ${target.name}`, 'datasetId');
        }
        throw error;
      });
  }

  /**
   * Staff clear a held handover: the dataset is classified `not-applicable` with their reason
   * (kept with who and when), and the handover is queued.
   */
  async release(actor: Actor, id: string, dto: ReleaseHandoverDto): Promise<Handover> {
    const handover = await this.get(actor, id);
    if (handover.state !== 'held') throw new AppError('invalid-transition', `Only a held handover can be released; this one is ${handover.state}`, [{ field: 'state', message: `is ${handover.state}` }]);
    const dataset = await this.datasets.classify(actor, handover.datasetId, { classification: 'not-applicable', reason: dto.reason });
    const target = (await this.targets.findOneBy({ id: handover.targetId }))!;
    const stillHeld = this.holdReason(dataset, target);
    if (stillHeld) throw new AppError('invalid-transition', stillHeld, [{ field: 'state', message: 'is still held' }]);
    return this.requeue(actor, handover, 'release', ['held']);
  }

  /** Staff send a failed handover again. */
  async retry(actor: Actor, id: string): Promise<Handover> {
    const handover = await this.get(actor, id);
    const dataset = await this.datasets.get(actor, handover.datasetId);
    if (!canManageCenter(actor, dataset.centerId)) throw AppError.forbidden('Only staff of the center may retry a handover');
    return this.requeue(actor, handover, 'retry', ['failed']);
  }

  private requeue(actor: Actor, handover: Handover, action: string, from: string[]): Promise<Handover> {
    return this.dataSource.transaction(async (em) => {
      const [locked] = (await em.query('SELECT state FROM handovers WHERE id = $1 FOR UPDATE', [handover.id])) as { state: string }[];
      if (!from.includes(locked.state)) throw new AppError('invalid-transition', `The handover is ${locked.state}`, [{ field: 'state', message: `is ${locked.state}` }]);
      const updated = await this.audit.update(em, actor, Handover, 'handover', handover.id, { state: 'queued', holdReason: null, lastError: null }, { action });
      await this.outbox.add(em, JobName.HandoverDeliver, { handoverId: handover.id }, actor.requestId);
      return updated;
    });
  }

  /**
   * A status callback from the platform, signed with the target's secret: moves the handover
   * to registered, published or rejected. An event id is processed once; a replay is a 409.
   */
  async callback(targetId: string | undefined, timestamp: string | undefined, signature: string | undefined, raw: Buffer | undefined, dto: HandoverCallbackDto): Promise<Handover> {
    const target = targetId ? await this.targets.createQueryBuilder('t').addSelect('t.secret').where('t.id = :id', { id: targetId }).getOne().catch(() => null) : null;
    if (!target?.secret || !raw) throw AppError.unauthorized('Unknown target or unsigned callback');
    const problem = verifySignature(target.secret, timestamp, signature, raw);
    if (problem) throw AppError.unauthorized(problem);
    return this.dataSource.transaction(async (em) => {
      const [handover] = (await em.query('SELECT id, state, target_id FROM handovers WHERE id = $1 FOR UPDATE', [dto.handoverId])) as { id: string; state: string; target_id: string }[];
      if (!handover || handover.target_id !== target.id) throw AppError.badInput('handoverId', 'no such handover for this target');
      const [seen] = (await em.query('INSERT INTO handover_callbacks (event_id, handover_id, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id', [
        dto.eventId,
        handover.id,
        dto.status,
      ])) as { event_id: string }[];
      if (!seen) throw AppError.conflict(`Event ${dto.eventId} was already processed`, 'eventId');
      if (!['delivered', 'registered', 'published'].includes(handover.state)) {
        throw new AppError('invalid-transition', `A ${handover.state} handover cannot become ${dto.status}`, [{ field: 'status', message: `the handover is ${handover.state}` }]);
      }
      return this.audit.update(
        em,
        SYSTEM_ACTOR,
        Handover,
        'handover',
        handover.id,
        { state: dto.status, remoteId: dto.remoteId ?? null, lastError: dto.error ?? null },
        { action: `callback_${dto.status}` },
      );
    });
  }

  // ---------------------------------------------------------------- the worker's part

  /**
   * Builds and delivers one handover. Safe to run again at any point (a retry, a second
   * worker, a restart after a crash): the package is the same bytes, so the target sees the
   * same idempotency key, and a finished handover is left alone. Throws when the target should
   * be tried again later.
   */
  async deliver(handoverId: string, attempt: number): Promise<void> {
    const handover = await this.handovers.findOneBy({ id: handoverId });
    if (!handover || !IN_FLIGHT.includes(handover.state)) return;
    const dataset = await this.datasets.get(SYSTEM_ACTOR, handover.datasetId);
    const target = (await this.targets.createQueryBuilder('t').addSelect('t.secret').where('t.id = :id', { id: handover.targetId }).getOne())!;
    const hold = this.holdReason(dataset, target);
    if (hold) {
      // The classification changed after the request: the gate holds it now.
      await this.transition(handover.id, { state: 'held', holdReason: hold }, 'held');
      return;
    }
    await this.transition(handover.id, { state: 'packaging', attempts: attempt }, 'packaging');
    const pkg = await this.build(dataset.id);
    try {
      await this.transition(handover.id, { state: 'sending', packageSha256: pkg.sha256, packageSize: pkg.size }, 'sending');
      let outcome: DeliveryOutcome;
      try {
        outcome =
          target.kind === 'http'
            ? await deliverHttp(target.url!, target.secret!, { datasetUuid: dataset.seriesId, version: dataset.version }, pkg)
            : await deliverFolder(target.folder!, { datasetUuid: dataset.seriesId, version: dataset.version }, pkg);
      } catch (error) {
        await this.handovers.update({ id: handover.id }, { lastError: (error as Error).message });
        throw error;
      }
      if (outcome.outcome === 'delivered') {
        await this.transition(handover.id, { state: 'delivered', remoteReceiptId: outcome.receiptId, deliveredAt: new Date(), lastError: null }, 'delivered');
      } else {
        await this.transition(handover.id, { state: 'rejected', lastError: outcome.error }, 'rejected');
      }
    } finally {
      await rm(pkg.path, { force: true });
    }
  }

  /**
   * Handovers in flight whose job the queue no longer knows (its store lost its data, e.g. a
   * Redis restarted without persistence) get a new job through the outbox. Only rows quiet for
   * `quietMs` whose last job was relayed that long ago are looked at, so a job on its way or
   * running is never doubled. Returns how many were re-queued.
   */
  async recoverLostJobs(queue: Queue, quietMs: number): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT h.id, o.id AS job_id
         FROM handovers h
         -- The job name is written out (not a parameter) so the partial index ix_outbox_handover applies.
         JOIN LATERAL (
           SELECT id, dispatched_at FROM outbox
            WHERE job_name = '${JobName.HandoverDeliver}' AND payload->>'handoverId' = h.id::text
            ORDER BY created_at DESC LIMIT 1
         ) o ON true
        WHERE h.state IN ('queued', 'packaging', 'sending')
          AND h.updated_at < now() - make_interval(secs => $1)
          AND o.dispatched_at < now() - make_interval(secs => $1)`,
      [quietMs / 1000],
    )) as { id: string; job_id: string }[];
    let recovered = 0;
    for (const row of rows) {
      if (await queue.getJob(row.job_id)) continue;
      await this.dataSource.transaction(async (em) => {
        await this.audit.update(em, SYSTEM_ACTOR, Handover, 'handover', row.id, { lastError: `the queue lost job ${row.job_id}; queued again` }, { action: 'job_recovered' });
        await this.outbox.add(em, JobName.HandoverDeliver, { handoverId: row.id });
      });
      recovered++;
    }
    if (recovered) this.logger.warn({ recovered }, 'handover jobs lost by the queue were queued again');
    return recovered;
  }

  /** The last attempt failed: the handover is `failed` until staff retry it. */
  async markFailed(handoverId: string, error: string): Promise<void> {
    const handover = await this.handovers.findOneBy({ id: handoverId });
    if (handover && IN_FLIGHT.includes(handover.state)) await this.transition(handoverId, { state: 'failed', lastError: error }, 'failed');
  }

  /** Writes the package to a temporary file, measuring SHA-256 and size on the way. */
  private async build(datasetId: string): Promise<BuiltPackage> {
    const dir = join(this.config.dataDir, 'handovers', 'tmp');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${randomUUID()}.zip`);
    const hash = createHash('sha256');
    let size = 0;
    const { stream } = await this.packages.stream(SYSTEM_ACTOR, datasetId);
    try {
      await pipeline(
        stream,
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        createWriteStream(path),
      );
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, sha256: hash.digest('hex'), size };
  }

  private transition(id: string, changes: Partial<Handover>, action: string): Promise<Handover> {
    return this.dataSource.transaction((em: EntityManager) => this.audit.update(em, SYSTEM_ACTOR, Handover, 'handover', id, changes, { action }));
  }

  /** Why a dataset may not go to a target now, or null: the gates are decisions, not labels. */
  private holdReason(dataset: DatasetView, target: HandoverTarget): string | null {
    if (dataset.exportControl !== 'not-applicable') {
      return `Export control is ${dataset.exportControl}: staff must classify the data not-applicable before it leaves${target.abroad ? ` (and ${target.name} is outside Japan)` : ''}`;
    }
    return null;
  }
}
