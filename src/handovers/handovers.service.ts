import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Queue, UnrecoverableError } from 'bullmq';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter, SYSTEM_ACTOR } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page, PageQueryDto } from '../common/pagination/cursor';
import { measuring } from '../common/streams';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { DatasetsService, DatasetView } from '../datasets/datasets.service';
import { DatasetPackageService } from '../datasets/package/dataset-package.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { JobName } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';
import { BuiltPackage, deliverFolder, deliverHttp, DeliveryOutcome, pollHttp } from './delivery';
import { CreateHandoverTargetDto, HandoverCallbackDto, ReleaseHandoverDto, RequestHandoverDto } from './dto/handover.dto';
import { PLATFORM_STATUSES, PlatformStatus, platformMove } from './handover-lifecycle';
import { HandoverTarget } from './handover-target.entity';
import { Handover } from './handover.entity';
import { sha256Hex, verifySignature } from './signature';

/** States in which the worker still has something to do. */
const IN_FLIGHT = ['queued', 'packaging', 'sending'];

/** The targets HANDOVER_HTTP_URL and HANDOVER_FOLDER set up, found again by these names at each start. */
export const CONFIGURED_HTTP_TARGET = 'DX platform (HANDOVER_HTTP_URL)';
export const CONFIGURED_FOLDER_TARGET = 'Drop folder (HANDOVER_FOLDER)';

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

  /**
   * Creates or updates the targets the configuration names (at start, under the seed lock):
   * HANDOVER_HTTP_URL with HANDOVER_HTTP_SECRET is the default HTTP target; HANDOVER_FOLDER a
   * folder target, the default when no HTTP target is configured. The configuration wins over
   * changes made since; settings that did not change write nothing.
   */
  async ensureConfiguredTargets(): Promise<void> {
    const { handoverHttpUrl, handoverHttpSecret, handoverFolder } = this.config;
    const wanted: Pick<HandoverTarget, 'name' | 'kind' | 'url' | 'secret' | 'folder' | 'isDefault'>[] = [];
    // The folder first: when both are set, the HTTP target is made the default last.
    if (handoverFolder) wanted.push({ name: CONFIGURED_FOLDER_TARGET, kind: 'folder', url: null, secret: null, folder: handoverFolder, isDefault: !handoverHttpUrl });
    if (handoverHttpUrl) wanted.push({ name: CONFIGURED_HTTP_TARGET, kind: 'http', url: handoverHttpUrl, secret: handoverHttpSecret, folder: null, isDefault: true });
    for (const settings of wanted) {
      await this.dataSource.transaction(async (em) => {
        const existing = await em.createQueryBuilder(HandoverTarget, 't').addSelect('t.secret').where('t.name = :name', { name: settings.name }).setLock('pessimistic_write').getOne();
        if (existing && (['kind', 'url', 'secret', 'folder', 'isDefault'] as const).every((key) => existing[key] === settings[key])) return;
        if (settings.isDefault && !existing?.isDefault) await em.query('UPDATE handover_targets SET is_default = false WHERE is_default');
        if (existing) await this.audit.update(em, SYSTEM_ACTOR, HandoverTarget, 'handover_target', existing.id, settings, { action: 'configured' });
        else await this.audit.insert(em, SYSTEM_ACTOR, HandoverTarget, 'handover_target', settings);
      });
      this.logger.log({ target: settings.name }, 'handover target set from the configuration');
    }
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
    if (!status || !PLATFORM_STATUSES.includes(status.status as PlatformStatus) || platformMove(handover.state, status.status as PlatformStatus) !== 'moves') return handover;
    await this.dataSource
      .transaction((em) => this.advance(em, id, status.status as PlatformStatus, status.remoteId ? { remoteId: status.remoteId } : {}, `polled_${status.status}`))
      // A callback moved it past this status meanwhile: the poll changes nothing.
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
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
    const hold = this.holdReason(dataset);
    // A version already on its way (or held) to this target: uq_handovers_live makes it a 409.
    return this.dataSource.transaction(async (em) => {
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
    });
  }

  /**
   * Staff clear a held handover: the dataset is classified `not-applicable` with their reason
   * (kept with who and when), and the handover is queued.
   */
  async release(actor: Actor, id: string, dto: ReleaseHandoverDto): Promise<Handover> {
    const handover = await this.get(actor, id);
    if (handover.state !== 'held') throw new AppError('invalid-transition', `Only a held handover can be released; this one is ${handover.state}`, [{ field: 'state', message: `is ${handover.state}` }]);
    await this.datasets.classify(actor, handover.datasetId, { classification: 'not-applicable', reason: dto.reason });
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
   * A status callback from the platform, naming the handover by the receipt id it gave and
   * signed with that target's secret over `"<timestamp>.<sha256 of the body>"`: moves the
   * handover on to registered, published or rejected (never back). An event id is processed
   * once; a replay is a 409.
   */
  async callback(timestamp: string | undefined, signature: string | undefined, raw: Buffer | undefined, dto: HandoverCallbackDto): Promise<Handover> {
    if (!raw) throw AppError.unauthorized('Unsigned callback');
    // The handovers holding this receipt (a version handed over again after a rejection gets the
    // same receipt): the live one first; the one whose target signed the callback is meant.
    const candidates = (await this.dataSource.query(
      `SELECT h.id, t.secret FROM handovers h JOIN handover_targets t ON t.id = h.target_id
        WHERE h.remote_receipt_id = $1 AND t.secret IS NOT NULL
        ORDER BY h.state IN ('failed', 'rejected'), h.created_at DESC`,
      [dto.receiptId],
    )) as { id: string; secret: string }[];
    if (!candidates.length) throw AppError.unauthorized('Unknown receipt or unsigned callback');
    const bodySha256 = sha256Hex(raw);
    const problems = candidates.map((candidate) => verifySignature(candidate.secret, timestamp, signature, bodySha256));
    const signed = problems.indexOf(null);
    if (signed < 0) throw AppError.unauthorized(problems[0]!);
    const handoverId = candidates[signed].id;
    const remoteId = dto.remoteIds?.length ? dto.remoteIds.join(' ') : undefined;
    if (remoteId && remoteId.length > 200) throw AppError.badInput('remoteIds', 'must be at most 200 characters together');
    return this.dataSource.transaction(async (em) => {
      // Locked before the event row references it: a foreign-key lock taken first would let two callbacks deadlock.
      await em.query('SELECT 1 FROM handovers WHERE id = $1 FOR UPDATE', [handoverId]);
      const [seen] = (await em.query('INSERT INTO handover_callbacks (event_id, handover_id, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id', [
        dto.eventId,
        handoverId,
        dto.status,
      ])) as { event_id: string }[];
      if (!seen) throw AppError.conflict(`Event ${dto.eventId} was already processed`, 'eventId');
      return this.advance(
        em,
        handoverId,
        dto.status,
        { ...(remoteId ? { remoteId } : {}), ...(dto.errors?.length ? { lastError: dto.errors.join('; ') } : {}) },
        `callback_${dto.status}`,
      );
    });
  }

  /**
   * Moves a handover on to what the platform reports (a callback, or the answer to a poll), with
   * its row locked so that the two cannot pass each other: forward only. The state it is in
   * already changes nothing; a move back, or about a handover never delivered, is a 422.
   */
  private async advance(em: EntityManager, id: string, status: PlatformStatus, changes: Partial<Handover>, action: string): Promise<Handover> {
    const [{ state }] = (await em.query('SELECT state FROM handovers WHERE id = $1 FOR UPDATE', [id])) as { state: Handover['state'] }[];
    const move = platformMove(state, status);
    if (move === 'refused') throw new AppError('invalid-transition', `A ${state} handover cannot become ${status}`, [{ field: 'status', message: `the handover is ${state}` }]);
    if (move === 'unchanged') return em.findOneByOrFail(Handover, { id });
    return this.audit.update(em, SYSTEM_ACTOR, Handover, 'handover', id, { ...changes, state: status }, { action });
  }

  // ---------------------------------------------------------------- the worker's part

  /**
   * Builds and delivers one handover. Safe to run again at any point (a retry, a second
   * worker, a restart after a crash): the package is the same bytes, so the target sees the
   * same idempotency key, and a finished handover is left alone. Throws when the target should
   * be tried again later; a package that cannot be built as the data stands (it does not
   * validate) fails the handover at once, with the reason, and is not tried again.
   */
  async deliver(handoverId: string, attempt: number): Promise<void> {
    const handover = await this.handovers.findOneBy({ id: handoverId });
    if (!handover || !IN_FLIGHT.includes(handover.state)) return;
    const dataset = await this.datasets.get(SYSTEM_ACTOR, handover.datasetId);
    const target = (await this.targets.createQueryBuilder('t').addSelect('t.secret').where('t.id = :id', { id: handover.targetId }).getOne())!;
    const hold = this.holdReason(dataset);
    if (hold) {
      // The classification changed after the request: the gate holds it now.
      await this.transition(handover.id, { state: 'held', holdReason: hold }, 'held');
      return;
    }
    await this.transition(handover.id, { state: 'packaging', attempts: attempt }, 'packaging');
    const pkg = await this.build(handover.id, dataset.id).catch(async (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      await this.transition(handover.id, { state: 'failed', lastError: error.message }, 'failed');
      throw new UnrecoverableError(error.message);
    });
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
   * Redis restarted without persistence), or whose job ended (failed or completed) while the
   * handover is still in flight, get a new job through the outbox. Only rows quiet for
   * `quietMs` whose last job was relayed that long ago are looked at, so a job on its way or
   * running is never doubled; each is checked again under its row lock, so two workers
   * recovering at once queue it once. Returns how many were re-queued.
   */
  async recoverLostJobs(queue: Queue, quietMs: number): Promise<number> {
    let recovered = 0;
    for (const row of await this.quietInFlight(this.dataSource.manager, quietMs)) {
      const job = await queue.getJob(row.job_id);
      const jobState = job ? await job.getState() : 'gone';
      if (!['gone', 'failed', 'completed'].includes(jobState)) continue;
      const requeued = await this.dataSource.transaction(async (em) => {
        await em.query('SELECT 1 FROM handovers WHERE id = $1 FOR UPDATE', [row.id]);
        // Read again under the lock: another worker may have re-queued it, or the job moved it on.
        const [still] = await this.quietInFlight(em, quietMs, row.id);
        if (still?.job_id !== row.job_id) return false;
        const lost = jobState === 'gone' ? `the queue lost job ${row.job_id}` : `job ${row.job_id} is ${jobState} but the handover is not`;
        await this.audit.update(em, SYSTEM_ACTOR, Handover, 'handover', row.id, { lastError: `${lost}; queued again` }, { action: 'job_recovered' });
        await this.outbox.add(em, JobName.HandoverDeliver, { handoverId: row.id });
        return true;
      });
      if (requeued) recovered++;
    }
    if (recovered) this.logger.warn({ recovered }, 'handover jobs lost by the queue were queued again');
    return recovered;
  }

  /** Handovers in flight (or the one given) quiet for `quietMs`, with their latest job, relayed as long ago. */
  private quietInFlight(em: EntityManager, quietMs: number, id?: string): Promise<{ id: string; job_id: string }[]> {
    return em.query(
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
          AND o.dispatched_at < now() - make_interval(secs => $1)
          AND ($2::uuid IS NULL OR h.id = $2)`,
      [quietMs / 1000, id ?? null],
    ) as Promise<{ id: string; job_id: string }[]>;
  }

  /** The last attempt failed: the handover is `failed` until staff retry it. */
  async markFailed(handoverId: string, error: string): Promise<void> {
    const handover = await this.handovers.findOneBy({ id: handoverId });
    if (handover && IN_FLIGHT.includes(handover.state)) await this.transition(handoverId, { state: 'failed', lastError: error }, 'failed');
  }

  /**
   * Writes the package to `DATA_DIR/handovers/tmp/<handover id>.zip`, measuring SHA-256 and size
   * on the way. One delivery of a handover runs at a time (its job's lock), so the name is free,
   * and a file a killed worker left behind is overwritten by the next attempt.
   */
  private async build(handoverId: string, datasetId: string): Promise<BuiltPackage> {
    const dir = join(this.config.dataDir, 'handovers', 'tmp');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${handoverId}.zip`);
    // The package service loads the dataset again: it takes an id, not the view deliver() holds.
    const { stream } = await this.packages.stream(SYSTEM_ACTOR, datasetId);
    const { stream: measure, measurement } = measuring();
    try {
      await pipeline(stream, measure, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, sha256: measurement.sha256(), size: measurement.size };
  }

  private transition(id: string, changes: Partial<Handover>, action: string): Promise<Handover> {
    return this.dataSource.transaction((em: EntityManager) => this.audit.update(em, SYSTEM_ACTOR, Handover, 'handover', id, changes, { action }));
  }

  /**
   * Why a dataset may not leave now, or null. Only data classified `not-applicable` goes to any
   * target, so a target outside Japan (`abroad`), which accepts only such data, needs no rule of
   * its own: the flag records where the target is and changes no decision.
   */
  private holdReason(dataset: DatasetView): string | null {
    return dataset.exportControl === 'not-applicable' ? null : `Export control is ${dataset.exportControl}: staff must classify the data not-applicable before it leaves`;
  }
}
