import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DeepPartial, EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { hydrate } from '../infra/database/hydrate';
import { Actor } from '../common/auth/actor';
import { CursorCodec, Page, PageQueryDto } from '../common/pagination/cursor';
import { AuditEntry } from './audit-entry.entity';
import { combineVerdicts } from '../common/hashing/hash-chain';
import { auditHash, ChainVerdict, ChainVerifier } from './audit-hash';

export interface AuditRecord {
  /** Singular snake_case resource name: `organization`, `equipment`, … */
  entity: string;
  entityId: string;
  action: string;
  before?: object | null;
  after?: object | null;
}

/** Plain JSON, exactly as jsonb will return it, so that the hash covers what is stored. */
function snapshot(value: object | null | undefined): Record<string, unknown> | null {
  return value ? (JSON.parse(JSON.stringify(value)) as Record<string, unknown>) : null;
}

const VERIFY_BATCH = 2000;

@Injectable()
export class AuditService {
  private readonly otherChains: (() => Promise<ChainVerdict>)[] = [];

  constructor(
    @InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * Appends an entry to the entity's chain inside the caller's transaction, so the entry
   * exists exactly when the change does. Entries of one entity are serialized by an
   * advisory lock so that the chain never forks.
   */
  async record(em: EntityManager, actor: Actor, record: AuditRecord): Promise<AuditEntry> {
    // A creation starts a new chain (a fresh id): nothing to lock or look up. Should an id ever
    // repeat, uq_audit_log_chain refuses the second seq 1.
    const last = record.action === 'create' ? undefined : await this.lockChainHead(em, record.entity, record.entityId);
    const fields = {
      entity: record.entity,
      entityId: record.entityId,
      seq: (last?.seq ?? 0) + 1,
      action: record.action,
      actorId: actor.kind === 'system' ? null : actor.id,
      actorKind: actor.kind,
      actorRole: actor.kind === 'system' ? null : actor.role,
      requestId: actor.requestId ?? null,
      before: snapshot(record.before),
      after: snapshot(record.after),
      at: new Date(),
      prevHash: last?.hash ?? null,
    };
    const inserted = await em.createQueryBuilder().insert().into(AuditEntry).values({ ...fields, hash: auditHash(fields) } as never).returning('*').execute();
    return hydrate(em, AuditEntry, (inserted.raw as Record<string, unknown>[])[0]);
  }

  /** Serializes writers of one object's chain and returns its last link. */
  private async lockChainHead(em: EntityManager, entity: string, entityId: string): Promise<{ seq: number; hash: string } | undefined> {
    await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${entity}:${entityId}`]);
    const [last] = (await em.query('SELECT seq, hash FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT 1', [entity, entityId])) as {
      seq: number;
      hash: string;
    }[];
    return last;
  }

  /** Inserts a row and records its creation; returns the row as stored (defaults filled in). */
  async insert<T extends ObjectLiteral & { id: string }>(
    em: EntityManager,
    actor: Actor,
    target: EntityTarget<T>,
    entity: string,
    values: DeepPartial<T>,
    view: (row: T) => object = (row) => row,
  ): Promise<T> {
    // RETURNING * gives the row as stored (defaults filled in, ranges normalized) without a reload.
    const inserted = await em.createQueryBuilder().insert().into(target).values(values as never).returning('*').execute();
    const stored = hydrate(em, target, (inserted.raw as Record<string, unknown>[])[0]);
    await this.record(em, actor, { entity, entityId: stored.id, action: 'create', after: view(stored) });
    return stored;
  }

  /**
   * Locks the row, applies `changes`, and records before and after. A missing row is a 404
   * (callers check visibility first with the tenancy scope).
   */
  async update<T extends ObjectLiteral & { id: string }>(
    em: EntityManager,
    actor: Actor,
    target: EntityTarget<T>,
    entity: string,
    id: string,
    changes: Partial<T>,
    options: { action?: string; view?: (row: T) => object } = {},
  ): Promise<T> {
    const view = options.view ?? ((row: T) => row);
    const where = { id } as FindOptionsWhere<T>;
    const before = await em.findOne(target, { where, lock: { mode: 'pessimistic_write' } });
    if (!before) throw AppError.notFound(entity.replace(/_/g, ' '), id);
    if (Object.keys(changes).length) await em.update(target, where, changes as never);
    const after = await em.findOneByOrFail(target, where);
    await this.record(em, actor, { entity, entityId: id, action: options.action ?? 'update', before: view(before), after: view(after) });
    return after;
  }

  async list(query: PageQueryDto & { entity?: string; id?: string }): Promise<Page<AuditEntry>> {
    const qb = this.entries.createQueryBuilder('a');
    if (query.entity) qb.andWhere('a.entity = :entity', { entity: query.entity });
    if (query.id) qb.andWhere('a.entity_id = :entityId', { entityId: query.id });
    return this.cursors.paginate(qb, [{ column: 'a.id', value: (row) => row.id, direction: 'DESC' }], query);
  }

  /**
   * Lets another module's hash chain (the samples' custody events) be checked by
   * `GET /audit/verify` too, without this module knowing its tables.
   */
  registerChain(verify: () => Promise<ChainVerdict>): void {
    this.otherChains.push(verify);
  }

  /** Re-hashes the audit log and every registered chain; reports the first broken link. */
  async verify(): Promise<ChainVerdict> {
    const verdicts = [await this.verifyAuditLog()];
    for (const verifyChain of this.otherChains) verdicts.push(await verifyChain());
    return combineVerdicts(verdicts);
  }

  /** Re-hashes every audit chain in batches (memory stays flat) and reports the first broken link. */
  private async verifyAuditLog(): Promise<ChainVerdict> {
    const verifier = new ChainVerifier();
    let after: { entity: string; entityId: string; seq: number } | null = null;
    for (;;) {
      const qb = this.entries.createQueryBuilder('a').orderBy('a.entity').addOrderBy('a.entity_id').addOrderBy('a.seq').limit(VERIFY_BATCH);
      if (after) qb.where('(a.entity, a.entity_id, a.seq) > (:entity, :entityId, :seq)', after);
      const batch = await qb.getMany();
      for (const entry of batch) {
        if (!verifier.add({ ...entry, before: entry.before, after: entry.after })) return verifier.verdict();
      }
      if (batch.length < VERIFY_BATCH) return verifier.verdict();
      const last = batch[batch.length - 1];
      after = { entity: last.entity, entityId: last.entityId, seq: last.seq };
    }
  }
}
