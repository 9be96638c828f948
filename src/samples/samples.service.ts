import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { TZDate } from '@date-fns/tz';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { CentersService } from '../centers/centers.service';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { containsPattern, whereTextMatches } from '../common/query/text-search';
import { hydrate } from '../infra/database/hydrate';
import { LabelsService } from '../labels/labels.service';
import { LocationsService } from '../locations/locations.service';
import { JobName } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';
import { ProjectsService } from '../projects/projects.service';
import { CreateSampleDto, DueForDisposalQueryDto, LineageQueryDto, SampleQueryDto } from './dto/sample.dto';
import { EventSource } from './sample-event.entity';
import { SampleEventsService } from './sample-events.service';
import { allowedSampleActions, SampleAction, SETTLED_STATES } from './sample-lifecycle';
import { Sample } from './sample.entity';

/** A sample as the API shows it: the row, its active label and what may be done with it now. */
export type SampleView = Sample & { labelId: string | null; allowedActions: SampleAction[] };

/** A new sample's fields once its project, center and code are known. */
export interface NewSample {
  centerId: string;
  organizationId: string;
  projectId: string;
  name: string;
  material: string | null;
  form: Sample['form'];
  quantity: number | null;
  unit: string | null;
  hazards: Sample['hazards'];
  clientRef: string | null;
  retentionUntil: string | null;
  state: Sample['state'];
  holderId?: string | null;
}

/** Registry of samples: registration with gapless codes, search, lineage. */
@Injectable()
export class SamplesService {
  constructor(
    @InjectRepository(Sample) private readonly samples: Repository<Sample>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly centers: CentersService,
    private readonly projects: ProjectsService,
    private readonly labels: LabelsService,
    private readonly locations: LocationsService,
    private readonly events: SampleEventsService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
  ) {}

  async list(actor: Actor, query: SampleQueryDto): Promise<Page<SampleView>> {
    const qb = scopedQuery(this.samples, 's', actor);
    whereTextMatches(qb, ['s.code', 's.name', 's.material', 's.client_ref'], query.q);
    if (query.code) qb.andWhere('s.code = :code', { code: query.code.toUpperCase() });
    if (query.material) qb.andWhere('s.material ILIKE :material', { material: containsPattern(query.material) });
    if (query.organizationId) qb.andWhere('s.organization_id = :organizationId', { organizationId: query.organizationId });
    if (query.projectId) qb.andWhere('s.project_id = :projectId', { projectId: query.projectId });
    if (query.centerId) qb.andWhere('s.center_id = :centerId', { centerId: query.centerId });
    if (query.state) qb.andWhere('s.state = :state', { state: query.state });
    if (query.hazard) qb.andWhere(':hazard = ANY(s.hazards)', { hazard: query.hazard });
    if (query.locationId) qb.andWhere('s.location_id = ANY(:locationIds)', { locationIds: await this.locations.subtreeIds(query.locationId) });
    if (query.registeredFrom) qb.andWhere('s.registered_at >= :registeredFrom', { registeredFrom: new Date(query.registeredFrom) });
    if (query.registeredTo) qb.andWhere('s.registered_at < :registeredTo', { registeredTo: new Date(query.registeredTo) });
    const page = await this.cursors.paginate(
      qb,
      [
        { column: 's.created_at', value: (s) => s.createdAt.toISOString(), direction: 'DESC' },
        { column: 's.id', value: (s) => s.id, direction: 'DESC' },
      ],
      query,
    );
    return { ...page, items: await this.views(page.items) };
  }

  /** A sample the caller may see, or 404 (also for another organization's). */
  async get(actor: Actor, id: string): Promise<SampleView> {
    const [view] = await this.views([await this.find(actor, id)]);
    return view;
  }

  find(actor: Actor, id: string): Promise<Sample> {
    return findScopedOrFail(this.samples, actor, id, 'sample');
  }

  /**
   * Samples by id as the caller may see them (another organization's are simply absent), in the
   * order asked, with labels and the last time each was received (and its condition then).
   */
  async findWithReceipts(actor: Actor, ids: string[], em?: EntityManager): Promise<(SampleView & { receivedAt: Date | null; condition: string | null })[]> {
    if (!ids.length) return [];
    const found = await scopedQuery(em ? em.getRepository(Sample) : this.samples, 's', actor).andWhere('s.id IN (:...ids)', { ids }).getMany();
    const views = await this.views(found, em);
    const receipts = (await (em ?? this.dataSource.manager).query(
      `SELECT DISTINCT ON (sample_id) sample_id, occurred_at, payload->>'condition' AS condition
         FROM sample_events WHERE sample_id = ANY($1) AND type IN ('received', 'return_received')
        ORDER BY sample_id, seq DESC`,
      [views.map((v) => v.id)],
    )) as { sample_id: string; occurred_at: Date; condition: string | null }[];
    const byId = new Map(receipts.map((r) => [r.sample_id, r]));
    const order = new Map(ids.map((id, i) => [id, i]));
    return views
      .map((v) => Object.assign(v, { receivedAt: byId.get(v.id)?.occurred_at ?? null, condition: byId.get(v.id)?.condition ?? null }))
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  /** Adds labels and allowed actions to loaded rows. */
  async views(samples: Sample[], em?: EntityManager): Promise<SampleView[]> {
    const labels = await this.labels.activeLabels('sample', samples.map((s) => s.id), em);
    return samples.map((s) => this.view(s, labels.get(s.id) ?? null));
  }

  /** A loaded row as the API shows it, its active label already known. */
  view(sample: Sample, labelId: string | null): SampleView {
    return Object.assign(sample, { labelId, allowedActions: allowedSampleActions(sample.state) });
  }

  /**
   * Registers samples announced by a client (state `expected`): one or many (a wafer's 25
   * dies) in one transaction, each with a code, a label and its `registered` event. Field
   * names in errors carry `prefix` (`samples[3].`) for bulk requests.
   */
  async register(actor: Actor, dtos: CreateSampleDto[], source: EventSource, prefix = (i: number) => (dtos.length > 1 ? `samples[${i}].` : '')): Promise<SampleView[]> {
    const projectIds = [...new Set(dtos.map((dto) => dto.projectId))];
    const projects = new Map(
      await Promise.all(
        projectIds.map(async (id) => {
          const i = dtos.findIndex((dto) => dto.projectId === id);
          const project = await this.projects.get(actor, id).catch(() => {
            throw AppError.badInput(`${prefix(i)}projectId`, 'no such project');
          });
          if (!project.active) throw AppError.badInput(`${prefix(i)}projectId`, 'the project is not active');
          return [id, project] as const;
        }),
      ),
    );
    for (const id of new Set(dtos.map((dto) => dto.centerId))) {
      await this.centers.requireExisting(actor, id, `${prefix(dtos.findIndex((dto) => dto.centerId === id))}centerId`);
    }

    const ids = await this.dataSource.transaction(async (em) => {
      const created: string[] = [];
      const unlabelled: { centerId: string; target: { sampleId: string } }[] = [];
      const codes = await this.allocateCodes(em, dtos);
      for (const [i, dto] of dtos.entries()) {
        const sample = await this.insert(em, actor, codes[i], {
          centerId: dto.centerId,
          organizationId: projects.get(dto.projectId)!.organizationId,
          projectId: dto.projectId,
          name: dto.name,
          material: dto.material ?? null,
          form: dto.form,
          quantity: dto.quantity ?? null,
          unit: dto.unit ?? null,
          hazards: dto.hazards ?? [],
          clientRef: dto.clientRef ?? null,
          retentionUntil: dto.retentionUntil ?? null,
          state: 'expected',
        });
        if (dto.labelId) await this.labels.bind(em, dto.labelId, dto.centerId, { sampleId: sample.id }, `${prefix(i)}labelId`);
        else unlabelled.push({ centerId: dto.centerId, target: { sampleId: sample.id } });
        await this.events.append(em, actor, sample, { type: 'registered', occurredAt: sample.registeredAt, source, toState: 'expected', payload: { code: sample.code } });
        created.push(sample.id);
      }
      // New labels for all the rest in one statement.
      await this.labels.issueAll(em, unlabelled);
      return created;
    });
    const rows = await this.samples.createQueryBuilder('s').where('s.id IN (:...ids)', { ids }).getMany();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return this.views(ids.map((id) => byId.get(id)!));
  }

  /**
   * Inserts one sample row (no event, no label: the caller adds them in the same
   * transaction). Used by registration, splits and combinations.
   */
  async insert(em: EntityManager, actor: Actor, code: string, fields: NewSample): Promise<Sample & { lastEventHash: string | null }> {
    const [row] = (await em.query(
      `INSERT INTO samples (code, center_id, organization_id, project_id, name, material, form, quantity, unit, hazards, client_ref, retention_until, state, holder_id, registered_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, date_trunc('milliseconds', now()), $15)
       RETURNING *`,
      [
        code,
        fields.centerId,
        fields.organizationId,
        fields.projectId,
        fields.name,
        fields.material,
        fields.form,
        fields.quantity,
        fields.unit,
        fields.hazards,
        fields.clientRef,
        fields.retentionUntil,
        fields.state,
        fields.holderId ?? null,
        actor.userId,
      ],
    )) as Record<string, unknown>[];
    return Object.assign(hydrate(em, Sample, row), { lastEventHash: null });
  }

  /**
   * Codes `<CENTER>-<YY>-<seq>` for the samples of a request, in request order. The counter
   * row of a center and year is updated inside the transaction, so numbers are never shared
   * and a rolled-back registration leaves no gap.
   */
  async allocateCodes(em: EntityManager, samples: { centerId: string }[]): Promise<string[]> {
    const codes = new Array<string>(samples.length);
    const byCenter = new Map<string, number[]>();
    samples.forEach((s, i) => {
      const indexes = byCenter.get(s.centerId);
      if (indexes) indexes.push(i);
      else byCenter.set(s.centerId, [i]);
    });
    for (const [centerId, indexes] of [...byCenter].sort(([a], [b]) => a.localeCompare(b))) {
      // The year is the center's: a sample registered on 1 January in Tokyo is of the new year.
      const [center] = (await em.query('SELECT code, timezone FROM centers WHERE id = $1', [centerId])) as { code: string; timezone: string }[];
      const year = new TZDate(Date.now(), center.timezone).getFullYear();
      const [counter] = (await em.query(
        `INSERT INTO sample_code_counters (center_id, year, last_value) VALUES ($1, $2, $3)
         ON CONFLICT (center_id, year) DO UPDATE SET last_value = sample_code_counters.last_value + EXCLUDED.last_value
         RETURNING last_value`,
        [centerId, year, indexes.length],
      )) as { last_value: number }[];
      const first = counter.last_value - indexes.length + 1;
      indexes.forEach((index, n) => (codes[index] = `${center.code}-${String(year % 100).padStart(2, '0')}-${String(first + n).padStart(6, '0')}`));
    }
    return codes;
  }

  /** Samples still in the center's care whose retention date has come, oldest date first. */
  async dueForDisposal(actor: Actor, query: DueForDisposalQueryDto): Promise<Page<SampleView>> {
    const qb = scopedQuery(this.samples, 's', actor)
      .andWhere('s.retention_until <= :onOrBefore', { onOrBefore: query.onOrBefore ?? new Date().toISOString().slice(0, 10) })
      .andWhere('s.state NOT IN (:...settled)', { settled: SETTLED_STATES });
    if (query.centerId) qb.andWhere('s.center_id = :centerId', { centerId: query.centerId });
    const page = await this.cursors.paginate(
      qb,
      [
        { column: 's.retention_until', value: (s) => s.retentionUntil! },
        { column: 's.id', value: (s) => s.id },
      ],
      query,
    );
    return { ...page, items: await this.views(page.items) };
  }

  /**
   * The daily reminder: for every center with a contact address and samples past their
   * retention date, one mail listing them (through the outbox). Returns how many were queued.
   */
  async queueRetentionDigests(today: Date): Promise<number> {
    const onOrBefore = today.toISOString().slice(0, 10);
    const centers = (await this.dataSource.query(
      `SELECT c.id, c.code, c.name_en, c.name_ja, c.contact_email, count(*)::int AS due,
              (array_agg(s.code || '  ' || s.name || '  (' || s.retention_until || ')' ORDER BY s.retention_until, s.code))[1:50] AS lines
         FROM samples s JOIN centers c ON c.id = s.center_id
        WHERE s.retention_until <= $1 AND s.state <> ALL($2) AND c.contact_email IS NOT NULL
        GROUP BY c.id`,
      [onOrBefore, SETTLED_STATES],
    )) as { id: string; code: string; name_en: string; name_ja: string; contact_email: string; due: number; lines: string[] }[];
    if (!centers.length) return 0;
    await this.dataSource.transaction(async (em) => {
      for (const center of centers) {
        await this.outbox.add(em, JobName.SendMail, {
          to: center.contact_email,
          template: 'retention-due',
          data: {
            centerId: center.id,
            centerCode: center.code,
            center: center.name_en,
            centerJa: center.name_ja,
            count: String(center.due),
            onOrBefore,
            list: center.lines.join('\n') + (center.due > center.lines.length ? `\n… (+${center.due - center.lines.length})` : ''),
          },
        });
      }
    });
    return centers.length;
  }

  /**
   * The lineage graph around a sample: ancestors (`up`), descendants (`down`) or both, to
   * `depth` generations, in one recursive query. PostgreSQL builds the JSON document itself and
   * it is sent as is: a wafer's graph is hundreds of nodes, and parsing and re-serializing it
   * in Node would cost more than the query.
   */
  async lineageJson(actor: Actor, id: string, query: LineageQueryDto): Promise<string> {
    const direction = query.direction ?? 'both';
    const [row] = (await this.dataSource.query(
      `WITH RECURSIVE
         down AS (
           SELECT l.parent_id, l.child_id, l.kind, l.descriptor, 1 AS depth FROM sample_lineage l WHERE $2 AND l.parent_id = $1
           UNION ALL
           SELECT l.parent_id, l.child_id, l.kind, l.descriptor, d.depth + 1 FROM sample_lineage l JOIN down d ON l.parent_id = d.child_id WHERE d.depth < $4
         ),
         up AS (
           SELECT l.parent_id, l.child_id, l.kind, l.descriptor, 1 AS depth FROM sample_lineage l WHERE $3 AND l.child_id = $1
           UNION ALL
           SELECT l.parent_id, l.child_id, l.kind, l.descriptor, u.depth + 1 FROM sample_lineage l JOIN up u ON l.child_id = u.parent_id WHERE u.depth < $4
         ),
         edges AS (SELECT parent_id, child_id, kind, descriptor FROM down UNION SELECT parent_id, child_id, kind, descriptor FROM up),
         node_ids AS (SELECT $1::uuid AS id UNION SELECT parent_id FROM edges UNION SELECT child_id FROM edges),
         nodes AS MATERIALIZED (
           SELECT s.id, s.code, s.name, s.form, s.state, s.quantity, s.unit FROM samples s JOIN node_ids n ON n.id = s.id
            WHERE $5::uuid IS NULL OR s.organization_id = $5
         )
       SELECT EXISTS (SELECT 1 FROM nodes WHERE id = $1) AS visible,
         json_build_object(
           'root', $1::uuid,
           'nodes', (SELECT coalesce(json_agg(nodes ORDER BY code COLLATE "C"), '[]') FROM nodes),
           'edges', (SELECT coalesce(json_agg(e ORDER BY e."parentId", e."childId"), '[]')
                       FROM (SELECT parent_id AS "parentId", child_id AS "childId", kind, descriptor FROM edges
                              -- Members see their organization's samples only (staff see all).
                              WHERE $5::uuid IS NULL OR (parent_id IN (SELECT id FROM nodes) AND child_id IN (SELECT id FROM nodes))) e)
         )::text AS graph`,
      [id, direction !== 'up', direction !== 'down', query.depth ?? 50, actor.role === 'member' ? actor.organizationId : null],
    )) as { visible: boolean; graph: string }[];
    // The root is one of the nodes exactly when the caller may see it: otherwise a 404, as for any sample.
    if (!row.visible) throw AppError.notFound('sample', id);
    return row.graph;
  }

  /**
   * The samples among `ids` that the caller may see, in one query; an id that is absent or
   * another organization's is simply missing from the result (the caller names it).
   */
  findVisibleByIds(actor: Actor, ids: string[]): Promise<Sample[]> {
    if (!ids.length) return Promise.resolve([]);
    return scopedQuery(this.samples, 's', actor).andWhere('s.id = ANY(:ids)', { ids }).getMany();
  }
}
