import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { streamOf } from '../common/streams';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { hydrate } from '../infra/database/hydrate';
import { LabelMediaName } from '../labels/label-media';
import { LabelContent, QrErrorCorrection, renderLabelsPdf } from '../labels/label-render';
import { LabelsService } from '../labels/labels.service';
import { CreateLocationDto, LocationQueryDto } from './dto/location.dto';
import { Location } from './location.entity';

export type LocationView = Location & { labelId: string | null; path: { id: string; name: string; kind: string }[] };
export interface LocationTreeNode {
  id: string;
  name: string;
  kind: string;
  capacity: number | null;
  occupancy: number;
  labelId: string | null;
  children: LocationTreeNode[];
}

/** Storage: a tree of places with capacities, each with its own label. */
@Injectable()
export class LocationsService {
  constructor(
    @InjectRepository(Location) private readonly locations: Repository<Location>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly centers: CentersService,
    private readonly labels: LabelsService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  async list(actor: Actor, query: LocationQueryDto): Promise<Page<Location & { labelId: string | null }>> {
    const qb = scopedQuery(this.locations, 'l', actor);
    if (query.centerId) qb.andWhere('l.center_id = :centerId', { centerId: query.centerId });
    if (query.parentId) qb.andWhere('l.parent_id = :parentId', { parentId: query.parentId });
    else qb.andWhere('l.parent_id IS NULL');
    const page = await this.cursors.paginate(qb, [{ column: 'l.name', value: (l) => l.name }, { column: 'l.id', value: (l) => l.id }], query);
    const labels = await this.labels.activeLabels('location', page.items.map((l) => l.id));
    return { ...page, items: page.items.map((l) => ({ ...l, labelId: labels.get(l.id) ?? null })) };
  }

  /** One location with its label and its path from the top (center › room › … › it). */
  async get(actor: Actor, id: string): Promise<LocationView> {
    const location = await findScopedOrFail(this.locations, actor, id, 'location');
    const [labels, path] = await Promise.all([this.labels.activeLabels('location', [id]), this.pathOf(this.dataSource.manager, id)]);
    return { ...location, labelId: labels.get(id) ?? null, path };
  }

  /** The whole tree of a center (to `depth` levels) in one recursive query. */
  async tree(centerId: string, depth = 20): Promise<LocationTreeNode[]> {
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE t AS (
         SELECT l.*, 1 AS level FROM locations l WHERE l.center_id = $1 AND l.parent_id IS NULL
         UNION ALL
         SELECT l.*, t.level + 1 FROM locations l JOIN t ON l.parent_id = t.id WHERE t.level < $2
       )
       SELECT t.id, t.parent_id, t.name, t.kind, t.capacity, t.occupancy, lb.id AS label_id
         FROM t LEFT JOIN labels lb ON lb.location_id = t.id AND lb.status = 'active'
        ORDER BY t.level, lower(t.name), t.id`,
      [centerId, depth],
    )) as { id: string; parent_id: string | null; name: string; kind: string; capacity: number | null; occupancy: number; label_id: string | null }[];
    const nodes = new Map<string, LocationTreeNode>();
    const roots: LocationTreeNode[] = [];
    for (const row of rows) {
      const node: LocationTreeNode = { id: row.id, name: row.name, kind: row.kind, capacity: row.capacity, occupancy: row.occupancy, labelId: row.label_id, children: [] };
      nodes.set(row.id, node);
      if (row.parent_id && nodes.has(row.parent_id)) nodes.get(row.parent_id)!.children.push(node);
      else roots.push(node);
    }
    return roots;
  }

  /** Staff add places; each gets its label at once. A position holds one sample unless told otherwise. */
  async create(actor: Actor, dto: CreateLocationDto): Promise<LocationView> {
    await this.centers.requireExisting(actor, dto.centerId);
    if (!canManageCenter(actor, dto.centerId)) throw AppError.forbidden('Only staff of this center may add storage locations to it');
    const id = await this.dataSource.transaction(async (em) => {
      if (dto.parentId) {
        const [parent] = (await em.query('SELECT center_id FROM locations WHERE id = $1', [dto.parentId])) as { center_id: string }[];
        if (!parent) throw AppError.badInput('parentId', 'no such location');
        if (parent.center_id !== dto.centerId) throw AppError.badInput('parentId', 'is in another center');
      }
      const created = await this.audit.insert(em, actor, Location, 'location', {
        centerId: dto.centerId,
        parentId: dto.parentId ?? null,
        name: dto.name,
        kind: dto.kind,
        capacity: dto.capacity ?? (dto.kind === 'position' ? 1 : null),
      });
      await this.labels.issue(em, dto.centerId, { locationId: created.id });
      return created.id;
    });
    return this.get(actor, id);
  }

  /**
   * Locks a location that a sample is about to enter and checks room for it: a full one is a
   * 409 naming `field`. (The database's capacity check backs this up for any other writer.)
   */
  async lockForStorage(em: EntityManager, id: string, centerId: string, field = 'locationId', leaving: string | null = null): Promise<Location> {
    // The place being left is locked too (its occupancy drops), both in id order: two samples
    // trading places would otherwise lock the two rows in opposite orders and deadlock.
    const ids = [...new Set([id, leaving].filter((value): value is string => value !== null))].sort();
    const rows = (await em.query('SELECT * FROM locations WHERE id = ANY($1) ORDER BY id FOR UPDATE', [ids])) as Record<string, unknown>[];
    const row = rows.find((candidate) => candidate.id === id);
    if (!row) throw AppError.badInput(field, 'no such location');
    const location = hydrate(em, Location, row);
    if (location.centerId !== centerId) throw AppError.badInput(field, 'is in another center than the sample');
    if (!location.active) throw AppError.badInput(field, 'is no longer in use');
    if (location.capacity !== null && location.occupancy >= location.capacity) {
      throw AppError.conflict(`${location.name} is full (${location.occupancy} of ${location.capacity})`, field, { capacity: location.capacity, occupancy: location.occupancy });
    }
    return location;
  }

  /** Ids of a location and everything below it. */
  async subtreeIds(id: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE t AS (SELECT id FROM locations WHERE id = $1 UNION ALL SELECT l.id FROM locations l JOIN t ON l.parent_id = t.id) SELECT id FROM t`,
      [id],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Names of locations by id (for reports and scan pages). */
  async pathOf(em: EntityManager, id: string): Promise<{ id: string; name: string; kind: string }[]> {
    const rows = (await em.query(
      `WITH RECURSIVE up AS (
         SELECT id, parent_id, name, kind, 0 AS depth FROM locations WHERE id = $1
         UNION ALL
         SELECT l.id, l.parent_id, l.name, l.kind, up.depth + 1 FROM locations l JOIN up ON l.id = up.parent_id
       ) SELECT id, name, kind FROM up ORDER BY depth DESC`,
      [id],
    )) as { id: string; name: string; kind: string }[];
    return rows;
  }

  /** One location's label (room, shelf, box, position). */
  async labelPdf(id: string, media: LabelMediaName, errorCorrection: QrErrorCorrection): Promise<Readable> {
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE up AS (
         SELECT id, parent_id, name, 0 AS depth FROM locations WHERE id = $1
         UNION ALL SELECT l.id, l.parent_id, l.name, up.depth + 1 FROM locations l JOIN up ON l.id = up.parent_id
       )
       SELECT up.name, up.depth, lb.id AS label_id, c.code AS center
         FROM up LEFT JOIN labels lb ON lb.location_id = up.id AND lb.status = 'active' AND up.depth = 0
         JOIN locations self ON self.id = $1 JOIN centers c ON c.id = self.center_id
        ORDER BY up.depth DESC`,
      [id],
    )) as { name: string; depth: number; label_id: string | null; center: string }[];
    const self = rows.find((row) => row.depth === 0);
    if (!self) throw AppError.notFound('location', id);
    if (!self.label_id) throw new AppError('invalid-transition', 'The location has no active label', [{ field: 'labelId', message: 'none is active' }]);
    const content: LabelContent = {
      labelId: self.label_id,
      url: this.labels.urlOf(self.label_id),
      title: self.name,
      lines: [rows.map((row) => row.name).join(' › '), self.center],
      hazards: [],
    };
    return streamOf((out) => renderLabelsPdf([content], media, out, { errorCorrection }));
  }
}
