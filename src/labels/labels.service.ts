import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { hydrate } from '../infra/database/hydrate';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { Label } from './label.entity';
import { generateLabelId, labelUrl, parseLabelId } from './label-id';

export type LabelTarget = { sampleId: string } | { locationId: string };

/** Most labels pre-printed in one batch (one roll). */
export const MAX_LABEL_BATCH = 1000;

/**
 * Label identifiers and what they are bound to. A label is an identifier, not a credential:
 * whoever scans one still has to sign in to see anything behind it.
 */
@Injectable()
export class LabelsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The URL the QR code encodes. */
  urlOf(id: string): string {
    return labelUrl(this.config.publicUrl, id);
  }

  /** A new label, bound at once to a sample or location, inside the caller's transaction. */
  async issue(em: EntityManager, centerId: string, target: LabelTarget): Promise<Label> {
    const [label] = await this.insertFresh(em, 'active', [{ centerId, target }]);
    return label;
  }

  /** New labels for many samples or locations (a bulk registration, a split) in one statement. */
  issueAll(em: EntityManager, targets: { centerId: string; target: LabelTarget }[]): Promise<Label[]> {
    return this.insertFresh(em, 'active', targets);
  }

  /** Pre-printed rolls: unassigned labels to bind later by scanning. */
  async batch(actor: Actor, centerId: string, count: number): Promise<Label[]> {
    if (!canManageCenter(actor, centerId)) throw AppError.forbidden('Only staff of this center may print labels for it');
    return this.dataSource.transaction((em) => this.insertFresh(em, 'unassigned', Array.from({ length: count }, () => ({ centerId, target: null }))));
  }

  /**
   * Binds a pre-printed label to a sample or location. Only an unassigned label of the same
   * center can be bound; the target must not already carry an active label.
   */
  async bind(em: EntityManager, input: string, centerId: string, target: LabelTarget, field = 'labelId'): Promise<Label> {
    const id = this.parse(input, field);
    const [row] = (await em.query('SELECT * FROM labels WHERE id = $1 FOR UPDATE', [id])) as Record<string, unknown>[];
    if (!row) throw AppError.badInput(field, 'no such label');
    const label = hydrate(em, Label, row);
    if (label.centerId !== centerId) throw AppError.badInput(field, 'the label belongs to another center');
    if (label.status === 'void') throw new AppError('gone', `Label ${id} is void`, [{ field, message: 'is void' }]);
    if (label.status === 'active') throw AppError.conflict(`Label ${id} is already bound`, field);
    const [current] = (await em.query(
      `SELECT id FROM labels WHERE status = 'active' AND ${'sampleId' in target ? 'sample_id' : 'location_id'} = $1`,
      ['sampleId' in target ? target.sampleId : target.locationId],
    )) as { id: string }[];
    if (current) throw AppError.conflict(`It already carries label ${current.id}; void that one first`, field);
    const [updated] = (await em.query(
      `UPDATE labels SET status = 'active', sample_id = $2, location_id = $3, assigned_at = now() WHERE id = $1 RETURNING *`,
      [id, 'sampleId' in target ? target.sampleId : null, 'locationId' in target ? target.locationId : null],
    )) as [Record<string, unknown>[], number];
    return hydrate(em, Label, updated[0]);
  }

  /**
   * Gives a sample a fresh label in the caller's transaction: the active one (if any) is voided
   * with `reason`. Returns both ids.
   */
  async replace(em: EntityManager, centerId: string, sampleId: string, reason: string): Promise<{ voided: string | null; issued: string }> {
    const [voided] = (await em.query(
      `UPDATE labels SET status = 'void', void_reason = $2, voided_at = now() WHERE sample_id = $1 AND status = 'active' RETURNING id`,
      [sampleId, reason],
    )) as [{ id: string }[], number];
    const issued = await this.issue(em, centerId, { sampleId });
    return { voided: voided[0]?.id ?? null, issued: issued.id };
  }

  /** Voids a damaged or lost label; the sample or location keeps its identity and gets a new one. */
  async void(actor: Actor, input: string, reason: string): Promise<Label> {
    const id = this.parse(input, 'id');
    return this.dataSource.transaction(async (em) => {
      const [row] = (await em.query('SELECT * FROM labels WHERE id = $1 FOR UPDATE', [id])) as Record<string, unknown>[];
      if (!row) throw AppError.notFound('label', id);
      const label = hydrate(em, Label, row);
      if (!canManageCenter(actor, label.centerId)) throw AppError.forbidden('Only staff of this center may void its labels');
      if (label.status === 'void') throw new AppError('gone', `Label ${id} is already void`, [{ field: 'id', message: 'is void' }]);
      const [updated] = (await em.query(`UPDATE labels SET status = 'void', void_reason = $2, voided_at = now() WHERE id = $1 RETURNING *`, [id, reason])) as [
        Record<string, unknown>[],
        number,
      ];
      return hydrate(em, Label, updated[0]);
    });
  }

  /**
   * What a scanned or typed label is: a wrong check character is a typo (400, never looked up),
   * an unknown one a 404, a void one a 410.
   */
  async resolve(input: string, field = 'label'): Promise<Label> {
    const [label] = await this.resolveAll([{ input, field }]);
    if (label instanceof AppError) throw label;
    return label;
  }

  /**
   * Several labels scanned together (a sample's and a location's) in one query. Each comes back
   * as `resolve` would give it, or as the error it would throw: the caller decides when that
   * error matters.
   */
  async resolveAll(inputs: { input: string; field: string }[]): Promise<(Label | AppError)[]> {
    const parsed = inputs.map(({ input, field }) => {
      try {
        return this.parse(input, field);
      } catch (error) {
        return error as AppError;
      }
    });
    const ids = parsed.filter((id): id is string => typeof id === 'string');
    const rows = ids.length ? ((await this.dataSource.query('SELECT * FROM labels WHERE id = ANY($1)', [ids])) as Record<string, unknown>[]) : [];
    const byId = new Map(rows.map((row) => [row.id as string, hydrate(this.dataSource.manager, Label, row)]));
    return parsed.map((id, i) => {
      if (typeof id !== 'string') return id;
      const { field } = inputs[i];
      const label = byId.get(id);
      if (!label) return new AppError('not-found', `No label ${id}`, [{ field, message: 'no such label' }]);
      if (label.status === 'void') return new AppError('gone', `Label ${id} is void; scan the replacement label`, [{ field, message: 'is void' }]);
      return label;
    });
  }

  /** The active label of each sample (or location), keyed by its id. */
  async activeLabels(kind: 'sample' | 'location', ids: string[], em: EntityManager = this.dataSource.manager): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const column = kind === 'sample' ? 'sample_id' : 'location_id';
    const rows = (await em.query(`SELECT id, ${column} AS target FROM labels WHERE status = 'active' AND ${column} = ANY($1)`, [ids])) as { id: string; target: string }[];
    return new Map(rows.map((row) => [row.target, row.id]));
  }

  /** Normalizes a label as typed or scanned (a full URL works too); 400 naming `field` if it cannot be one. */
  parse(input: string, field: string): string {
    const tail = input.trim().split('/').pop() ?? '';
    const parsed = parseLabelId(tail);
    if (parsed.ok) return parsed.id;
    throw AppError.badInput(field, parsed.reason === 'check' ? 'the check character does not match: a typo?' : 'is not a label identifier');
  }

  /** Inserts one new identifier per slot; a collision with an existing one (vanishingly rare) is retried. */
  private async insertFresh(em: EntityManager, status: 'active' | 'unassigned', slots: { centerId: string; target: LabelTarget | null }[]): Promise<Label[]> {
    const created: Label[] = [];
    let pending = slots;
    while (pending.length) {
      const fresh = new Set<string>();
      while (fresh.size < pending.length) fresh.add(generateLabelId());
      const ids = [...fresh];
      const rows = (await em.query(
        `INSERT INTO labels (id, center_id, status, sample_id, location_id, assigned_at)
         SELECT t.id, t.center_id, $2::varchar, t.sample_id, t.location_id, CASE WHEN $2::varchar = 'active' THEN now() END
           FROM unnest($1::varchar[], $3::uuid[], $4::uuid[], $5::uuid[]) AS t(id, center_id, sample_id, location_id)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          ids,
          status,
          pending.map((slot) => slot.centerId),
          pending.map(({ target }) => (target && 'sampleId' in target ? target.sampleId : null)),
          pending.map(({ target }) => (target && 'locationId' in target ? target.locationId : null)),
        ],
      )) as Record<string, unknown>[];
      created.push(...rows.map((row) => hydrate(em, Label, row)));
      const inserted = new Set(rows.map((row) => row.id as string));
      pending = pending.filter((_, i) => !inserted.has(ids[i]));
    }
    return created;
  }
}
