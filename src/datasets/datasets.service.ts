import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { flattenParameters } from '../common/flatten-parameters';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { todayIn } from '../common/time/today';
import { validateAs } from '../common/validation/validation';
import { EquipmentService } from '../equipment/equipment.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { ReservationsService } from '../reservations/reservations.service';
import { SamplesService } from '../samples/samples.service';
import { DatasetFile } from './dataset-file.entity';
import { Dataset, ExportControl } from './dataset.entity';
import { DatasetMetadataDto, DatasetQueryDto, DatasetVersionMetadataDto, EmbargoExtensionDto, ExportControlDto } from './dto/dataset.dto';
import { cabinetOfficeClass, defaultEmbargoEnd, oneYearLater } from './embargo';
import { RDE_MAX_VALUE_BYTES } from './package/package-content';
import { DatasetStorage, ObjectTooLargeError, StoredObject } from './storage/dataset-storage';

/** The licence of open data unless another is given. */
export const DEFAULT_OPEN_LICENSE = 'https://creativecommons.org/licenses/by/4.0/';
const MAX_FILES = 1000;

/** A dataset as the API shows it: the version, its files, samples and the Cabinet Office class. */
export type DatasetView = Dataset & { files: DatasetFile[]; sampleIds: string[]; cabinetOfficeClass: string };

interface UploadedFile {
  name: string;
  mediaType: string;
  object: StoredObject;
}

/**
 * Measurement data with its provenance and rights. An upload streams each file to storage
 * (size and SHA-256 measured on the way), then validates the metadata and records everything
 * in one transaction; whatever fails, no file is left behind.
 */
@Injectable()
export class DatasetsService {
  constructor(
    @InjectRepository(Dataset) private readonly datasets: Repository<Dataset>,
    @InjectRepository(DatasetFile) private readonly files: Repository<DatasetFile>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly storage: DatasetStorage,
    private readonly samples: SamplesService,
    private readonly equipment: EquipmentService,
    private readonly reservations: ReservationsService,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  async list(actor: Actor, query: DatasetQueryDto): Promise<Page<DatasetView>> {
    const qb = scopedQuery(this.datasets, 'd', actor);
    if (query.equipmentId) qb.andWhere('d.equipment_id = :equipmentId', { equipmentId: query.equipmentId });
    if (query.accessClass) qb.andWhere('d.access_class = :accessClass', { accessClass: query.accessClass });
    if (query.sampleId) qb.andWhere('d.id IN (SELECT dataset_id FROM dataset_samples WHERE sample_id = :sampleId)', { sampleId: query.sampleId });
    const page = await this.cursors.paginate(
      qb,
      [
        { column: 'd.created_at', value: (d) => d.createdAt.toISOString(), direction: 'DESC' },
        { column: 'd.id', value: (d) => d.id, direction: 'DESC' },
      ],
      query,
    );
    return { ...page, items: await this.views(page.items) };
  }

  async get(actor: Actor, id: string): Promise<DatasetView> {
    const [view] = await this.views([await findScopedOrFail(this.datasets, actor, id, 'dataset')]);
    return view;
  }

  /** The datasets recorded for an analysis service request (every version), oldest first. */
  async forServiceRequest(serviceRequestId: string, em: EntityManager = this.dataSource.manager): Promise<DatasetView[]> {
    const datasets = await em.getRepository(Dataset).find({ where: { serviceRequestId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return this.views(datasets, em);
  }

  /** `POST /datasets`: multipart with one or more `files` and a `metadata` JSON field. */
  async create(actor: Actor, request: FastifyRequest): Promise<DatasetView> {
    const id = await this.withUploads(async (uploaded) => {
      const metadataRaw = await this.receive(request, uploaded);
      const metadata = await validateAs(DatasetMetadataDto, this.parseJsonObject(metadataRaw), 'metadata.');
      return this.record(actor, metadata, uploaded);
    });
    return this.get(actor, id);
  }

  /**
   * `POST /datasets/:id/versions`: a correction. Files never change, so a correction is a new
   * version of the latest one: the files kept (`keepFileIds`, the same stored objects) plus
   * the files uploaded, with the reason recorded. Only the latest version can be corrected.
   *
   * Export control: a classification covers the files it was made for. A version with new files
   * takes the classification the request states (`exportControl`), or `undetermined` if it
   * states none, recorded as the caller's, now, even where the previous version was reviewed by
   * staff. A version with no new file keeps the previous classification with who recorded it,
   * when and why; there a changed classification is staff's to record (`POST
   * /datasets/:id/export-control`), so the request may not state one.
   */
  async createVersion(actor: Actor, id: string, request: FastifyRequest): Promise<DatasetView> {
    const previous = await findScopedOrFail(this.datasets, actor, id, 'dataset');
    const newId = await this.withUploads(async (uploaded) => {
      const raw = await this.receive(request, uploaded, false);
      const metadata = await validateAs(DatasetVersionMetadataDto, this.parseJsonObject(raw), 'metadata.');
      if (metadata.parameters) checkParameters(metadata.parameters);
      const kept = metadata.keepFileIds?.length
        ? await this.files.createQueryBuilder('f').addSelect('f.storageKey').where('f.dataset_id = :id AND f.id IN (:...ids)', { id, ids: metadata.keepFileIds }).getMany()
        : [];
      const missing = (metadata.keepFileIds ?? []).findIndex((fileId) => !kept.some((f) => f.id === fileId));
      if (missing >= 0) throw AppError.badInput(`metadata.keepFileIds[${missing}]`, 'is not a file of this version');
      if (!kept.length && !uploaded.length) throw AppError.badInput('files', 'a version needs at least one file (kept or uploaded)');
      const clash = uploaded.find((file) => kept.some((f) => f.name === file.name));
      if (clash) throw AppError.badInput('files', `${clash.name} is also kept from the previous version; leave it out of keepFileIds to replace it`);
      if (!uploaded.length && metadata.exportControl !== undefined) {
        throw AppError.badInput('metadata.exportControl', 'the files are unchanged, so their classification stays; staff change it with POST /datasets/:id/export-control');
      }
      const exportControl = uploaded.length ? this.newFilesClassification(actor, metadata.exportControl ?? 'undetermined') : {};
      const newId = randomUUID();
      await this.dataSource.transaction(async (em) => {
        const [latest] = (await em.query('SELECT max(version)::int AS version FROM datasets WHERE series_id = $1', [previous.seriesId])) as { version: number }[];
        if (latest.version !== previous.version) throw AppError.conflict(`Version ${latest.version} is the latest; correct that one`, 'id');
        const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = previous;
        await this.audit.insert(em, actor, Dataset, 'dataset', {
          ...fields,
          id: newId,
          version: previous.version + 1,
          previousId: previous.id,
          correctionReason: metadata.reason,
          title: metadata.title ?? previous.title,
          description: metadata.description ?? previous.description,
          parameters: metadata.parameters ?? previous.parameters,
          ...exportControl,
          createdBy: actor.userId,
        });
        await em.query(`INSERT INTO dataset_samples (dataset_id, sample_id) SELECT $1, sample_id FROM dataset_samples WHERE dataset_id = $2`, [newId, previous.id]);
        await this.insertFiles(em, newId, [...kept.map((f) => ({ name: f.name, mediaType: f.mediaType, object: { key: f.storageKey, size: f.size, sha256: f.sha256 } })), ...uploaded]);
      });
      return newId;
    });
    return this.get(actor, newId);
  }

  /**
   * Runs `work`, which streams uploaded files to storage as it reads the request and records
   * them; if it fails, the files it stored are removed again. Reading the result back is left
   * to the caller, outside: once the transaction has committed, its files must stay.
   */
  private async withUploads(work: (uploaded: UploadedFile[]) => Promise<string>): Promise<string> {
    const uploaded: UploadedFile[] = [];
    try {
      return await work(uploaded);
    } catch (error) {
      await Promise.all(uploaded.map((file) => this.storage.remove(file.object.key)));
      throw error;
    }
  }

  /** The export-control fields of files just uploaded: the uploader's statement, recorded as theirs, now. */
  private newFilesClassification(actor: Actor, classification: ExportControl): Pick<Dataset, 'exportControl' | 'exportControlBy' | 'exportControlAt' | 'exportControlReason'> {
    return { exportControl: classification, exportControlBy: actor.userId, exportControlAt: new Date(), exportControlReason: null };
  }

  /** Where each file of a version is stored, by file id (for packaging; never shown to clients). */
  async storageKeys(datasetId: string): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query('SELECT id, storage_key FROM dataset_files WHERE dataset_id = $1', [datasetId])) as { id: string; storage_key: string }[];
    return new Map(rows.map((row) => [row.id, row.storage_key]));
  }

  /** The bytes of one file (with its recorded size, type and hash), if the caller may see the dataset. */
  async download(actor: Actor, datasetId: string, fileId: string): Promise<{ file: DatasetFile; stream: Readable }> {
    await findScopedOrFail(this.datasets, actor, datasetId, 'dataset');
    const file = await this.files.createQueryBuilder('f').addSelect('f.storageKey').where('f.id = :fileId AND f.dataset_id = :datasetId', { fileId, datasetId }).getOne();
    if (!file) throw AppError.notFound('file', fileId);
    return { file, stream: this.storage.get(file.storageKey) };
  }

  /** Extends the embargo once, by one year, with a reason (the owner organization or staff). */
  async extendEmbargo(actor: Actor, id: string, dto: EmbargoExtensionDto): Promise<DatasetView> {
    const dataset = await findScopedOrFail(this.datasets, actor, id, 'dataset');
    if (!dataset.embargoUntil) throw new AppError('invalid-transition', 'The dataset has no embargo to extend', [{ field: 'embargoUntil', message: 'is not set' }]);
    if (dataset.embargoExtendedAt) {
      throw AppError.conflict(`The embargo was already extended once (on ${dataset.embargoExtendedAt.toISOString().slice(0, 10)}); it can be extended only once`, 'embargoUntil');
    }
    return this.change(actor, id, { embargoUntil: oneYearLater(dataset.embargoUntil!), embargoExtendedAt: new Date(), embargoExtensionReason: dto.reason }, 'embargo_extended');
  }

  /** Staff record the export-control classification, with a reason; who and when are kept. */
  async classify(actor: Actor, id: string, dto: ExportControlDto): Promise<DatasetView> {
    const dataset = await findScopedOrFail(this.datasets, actor, id, 'dataset');
    if (!canManageCenter(actor, dataset.centerId)) throw AppError.forbidden('Only staff of the center may classify its datasets for export control');
    return this.change(actor, id, { exportControl: dto.classification, exportControlBy: actor.userId, exportControlAt: new Date(), exportControlReason: dto.reason }, 'export_control_classified');
  }

  /** Changes a dataset's rights fields with an audit entry naming the action. */
  private async change(actor: Actor, id: string, changes: Partial<Dataset>, action: string): Promise<DatasetView> {
    await this.dataSource.transaction((em) => this.audit.update(em, actor, Dataset, 'dataset', id, changes, { action }));
    return this.get(actor, id);
  }

  /**
   * Reads the multipart body: every `files` part streamed to storage (a file over the limit is
   * a 413), the `metadata` field kept as text. Anything else is a 400 naming the part.
   */
  private async receive(request: FastifyRequest, uploaded: UploadedFile[], filesRequired = true): Promise<string> {
    if (!request.isMultipart()) throw new AppError('unsupported-media-type', 'Send multipart/form-data with `files` and a `metadata` JSON field');
    let metadata: string | undefined;
    const parts = request.parts({ limits: { fileSize: this.config.datasetMaxFileBytes, files: MAX_FILES, fields: 5, fieldSize: 1024 * 1024 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'files') throw AppError.badInput(part.fieldname, 'unknown file field; send files as `files`');
        uploaded.push(await this.store(part));
      } else if (part.fieldname === 'metadata') {
        metadata = String(part.value);
      } else {
        throw AppError.badInput(part.fieldname, 'unknown field; send `files` and `metadata`');
      }
    }
    if (filesRequired && !uploaded.length) throw AppError.badInput('files', 'send at least one file');
    if (metadata === undefined) throw AppError.badInput('metadata', 'is required (a JSON object)');
    const names = new Set<string>();
    for (const file of uploaded) {
      if (names.has(file.name)) throw AppError.badInput('files', `two files are named ${file.name}`);
      names.add(file.name);
    }
    return metadata;
  }

  private async store(part: MultipartFile): Promise<UploadedFile> {
    const name = part.filename?.trim();
    if (!name || name.length > 255 || /[/\\\0]/.test(name)) {
      part.file.resume();
      throw AppError.badInput('files', 'every file needs a plain file name (no path), at most 255 characters');
    }
    try {
      return { name, mediaType: part.mimetype || 'application/octet-stream', object: await this.storage.put(part.file, this.config.datasetMaxFileBytes) };
    } catch (error) {
      if (error instanceof ObjectTooLargeError) {
        throw new AppError('payload-too-large', `${name} is larger than the limit of ${this.config.datasetMaxFileBytes} bytes`, [{ field: 'files', message: `${name} is too large` }]);
      }
      throw error;
    }
  }

  private parseJsonObject(raw: string): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw AppError.badInput('metadata', 'is not JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw AppError.badInput('metadata', 'must be a JSON object');
    return parsed as Record<string, unknown>;
  }

  private insertFiles(em: EntityManager, datasetId: string, files: UploadedFile[]): Promise<unknown> {
    return em.query(
      `INSERT INTO dataset_files (dataset_id, name, size, sha256, media_type, storage_key)
       SELECT $1, name, size, sha256, media_type, storage_key FROM unnest($2::varchar[], $3::bigint[], $4::char(64)[], $5::varchar[], $6::varchar[])
         AS t(name, size, sha256, media_type, storage_key)`,
      [datasetId, files.map((f) => f.name), files.map((f) => f.object.size), files.map((f) => f.object.sha256), files.map((f) => f.mediaType), files.map((f) => f.object.key)],
    );
  }

  /** Checks the references and rights, then records the dataset, its samples and files. */
  private async record(actor: Actor, metadata: DatasetMetadataDto, uploaded: UploadedFile[]): Promise<string> {
    const visible = new Map((await this.samples.findVisibleByIds(actor, metadata.sampleIds)).map((sample) => [sample.id, sample]));
    const samples = metadata.sampleIds.map((id, i) => {
      const sample = visible.get(id);
      if (!sample) throw AppError.badInput(`metadata.sampleIds[${i}]`, 'no such sample');
      return sample;
    });
    const owners = new Set(samples.map((s) => s.organizationId));
    if (owners.size > 1) throw AppError.badInput('metadata.sampleIds', 'samples of different owners cannot share a dataset');
    const tool = await this.equipment.get(actor, metadata.equipmentId).catch(notFoundAsBadInput('metadata.equipmentId', 'no such equipment'));
    if (metadata.reservationId) {
      const reservation = await this.reservations.get(actor, metadata.reservationId).catch(notFoundAsBadInput('metadata.reservationId', 'no such reservation'));
      if (reservation.equipmentId !== tool.id) throw AppError.badInput('metadata.reservationId', 'is on other equipment');
    }
    const center = await this.centers.requireExisting(actor, tool.centerId, 'metadata.equipmentId');
    const measuredAt = new Date(metadata.measuredAt);
    if (measuredAt.getTime() > Date.now() + 5 * 60_000) throw AppError.badInput('metadata.measuredAt', 'is in the future');
    if (metadata.parameters) checkParameters(metadata.parameters);
    const embargoUntil =
      metadata.embargoUntil !== undefined
        ? metadata.embargoUntil
        : metadata.accessClass === 'closed'
          ? null
          : defaultEmbargoEnd(measuredAt, center.timezone, { years: center.embargoYears, fiscalYearStartMonth: center.fiscalYearStartMonth });
    if (embargoUntil && embargoUntil < todayIn(center.timezone) && metadata.accessClass !== 'open') {
      throw AppError.badInput('metadata.embargoUntil', `is in the past; a ${metadata.accessClass} dataset needs a future embargo end or none`);
    }
    if (embargoUntil === null && metadata.accessClass === 'shared') throw AppError.badInput('metadata.embargoUntil', 'is required for shared data (or leave it out for the default)');
    const license = metadata.license ?? (metadata.accessClass === 'open' ? DEFAULT_OPEN_LICENSE : null);

    // The first version starts its series: the series id is its own id.
    const id = randomUUID();
    return this.dataSource.transaction(async (em) => {
      const dataset = await this.audit.insert(em, actor, Dataset, 'dataset', {
        id,
        seriesId: id,
        version: 1,
        previousId: null,
        centerId: tool.centerId,
        organizationId: samples[0].organizationId,
        projectId: samples[0].projectId,
        title: metadata.title,
        description: metadata.description ?? null,
        technique: metadata.technique,
        equipmentId: tool.id,
        reservationId: metadata.reservationId ?? null,
        serviceRequestId: metadata.serviceRequestId ?? null,
        operatorId: metadata.operatorId ?? actor.userId,
        measuredAt,
        parameters: metadata.parameters ?? {},
        accessClass: metadata.accessClass,
        embargoUntil,
        license,
        ...this.newFilesClassification(actor, metadata.exportControl),
        createdBy: actor.userId,
      });
      await em.query(`INSERT INTO dataset_samples (dataset_id, sample_id) SELECT $1, unnest($2::uuid[])`, [dataset.id, metadata.sampleIds]);
      await this.insertFiles(em, dataset.id, uploaded);
      return dataset.id;
    });
  }

  /** Adds files, samples and the Cabinet Office class (embargo ends read in the center's time zone), through `em` when given. */
  private async views(datasets: Dataset[], em: EntityManager = this.dataSource.manager): Promise<DatasetView[]> {
    if (!datasets.length) return [];
    const ids = datasets.map((d) => d.id);
    const centerIds = [...new Set(datasets.map((d) => d.centerId))];
    // One after the other: `em` may be a transaction's, whose one connection takes one query at a time.
    const files = await em.getRepository(DatasetFile).createQueryBuilder('f').where('f.dataset_id IN (:...ids)', { ids }).orderBy('f.name').getMany();
    const links = (await em.query('SELECT dataset_id, sample_id FROM dataset_samples WHERE dataset_id = ANY($1) ORDER BY sample_id', [ids])) as { dataset_id: string; sample_id: string }[];
    const centers = (await em.query('SELECT id, timezone FROM centers WHERE id = ANY($1)', [centerIds])) as { id: string; timezone: string }[];
    const today = new Map(centers.map((c) => [c.id, todayIn(c.timezone)]));
    return datasets.map((d) =>
      Object.assign(d, {
        files: files.filter((f) => f.datasetId === d.id),
        sampleIds: links.filter((l) => l.dataset_id === d.id).map((l) => l.sample_id),
        cabinetOfficeClass: cabinetOfficeClass(d.accessClass, d.embargoUntil, today.get(d.centerId)!),
      }),
    );
  }

  /** Which of `ids` are datasets recorded for the service request: ids only, for checking a reference. */
  async idsForServiceRequest(serviceRequestId: string, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = (await this.dataSource.query('SELECT id FROM datasets WHERE service_request_id = $1 AND id = ANY($2::uuid[])', [serviceRequestId, ids])) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }
}

/** For a referenced object looked up by id: a 404 becomes a 400 naming the field; any other failure stays as it is. */
function notFoundAsBadInput(field: string, message: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof AppError && error.kind === 'not-found') throw AppError.badInput(field, message);
    throw error;
  };
}

/**
 * Instrument parameters go into the DX platform's metadata one value per key, and a value there
 * holds at most 1,024 bytes: refuse a longer one at upload, naming it, rather than accept data
 * whose package could never be built. (Text fields such as the description are shortened in
 * the RDE files instead; they are kept whole in the RO-Crate.)
 */
function checkParameters(parameters: Record<string, unknown>): void {
  for (const [path, value] of flattenParameters(parameters)) {
    if (Buffer.byteLength(String(value), 'utf8') > RDE_MAX_VALUE_BYTES) {
      throw AppError.badInput(`metadata.parameters.${path}`, `is longer than ${RDE_MAX_VALUE_BYTES} bytes, the most a value of the platform's metadata holds`);
    }
  }
}
