import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import { ZipFile } from 'yazl';
import { Actor } from '../../common/auth/actor';
import { AppError } from '../../common/errors/app-error';
import { streamOf } from '../../common/streams';
import { DatasetsService, DatasetView } from '../datasets.service';
import { DatasetStorage } from '../storage/dataset-storage';
import { buildMaiml, deterministicUuid } from './maiml';
import { buildPackage, jsonBytes, manifest, PackageInput, PackageLayout, sha256 } from './package-content';
import { validatePackage } from './package-validation';

/** File mode of every entry (a regular file, rw-r--r--): fixed, like the time, for identical bytes. */
const ENTRY_MODE = 0o100644;

/** One zip entry: a document built in memory, or a data file read from storage when its turn comes. */
type PackageEntry = { path: string; data: Buffer } | { path: string; storageKey: string; size: number };

/**
 * The handover package of a dataset version as a zip, streamed: the RO-Crate / RDE documents
 * (validated first; a problem is a 422 naming the file and JSON pointer), the data files from
 * storage, and manifest-sha256.txt. Entries are in path order with the version's creation
 * time and fixed modes, so the same version always gives a byte-identical zip, whose SHA-256
 * can serve as its idempotency key.
 */
@Injectable()
export class DatasetPackageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly datasets: DatasetsService,
    private readonly storage: DatasetStorage,
  ) {}

  async stream(actor: Actor, id: string): Promise<{ filename: string; stream: Readable }> {
    const dataset = await this.datasets.get(actor, id);
    const input = await this.input(dataset);
    const layout = buildPackage(input);
    if (input.equipment?.maimlOutput) this.addMaiml(input, layout);
    const problems = validatePackage(layout.json, [...layout.filePaths.values()]);
    if (problems.length) {
      throw new AppError(
        'invalid-transition',
        `The package of this dataset is not valid: ${problems.map((p) => `${p.file}#${p.pointer} ${p.message}`).join('; ')}`,
        problems.map((p) => ({ field: `${p.file}#${p.pointer}`, message: p.message })),
      );
    }
    const keys = await this.datasets.storageKeys(dataset.id);
    const documents = [...layout.json].map(([path, value]) => ({ path, data: typeof value === 'string' ? Buffer.from(value, 'utf8') : jsonBytes(value) }));
    const payload = [
      ...documents.map((doc) => ({ path: doc.path, sha256: sha256(doc.data) })),
      ...dataset.files.map((file) => ({ path: layout.filePaths.get(file.id)!, sha256: file.sha256 })),
    ];
    const entries: PackageEntry[] = [
      ...documents.map((doc) => ({ path: doc.path, data: doc.data })),
      // Measurement data is stored as is: it is often compressed already, and storing keeps large files fast.
      ...dataset.files.map((file) => ({ path: layout.filePaths.get(file.id)!, storageKey: keys.get(file.id)!, size: file.size })),
      { path: 'manifest-sha256.txt', data: manifest(payload) },
    ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { filename: `${dataset.seriesId}-v${dataset.version}.zip`, stream: streamOf((out) => this.writeZip(entries, dataset.createdAt, out)) };
  }

  /**
   * Writes the zip to `out`, opening each stored file only when its turn comes (one open at a
   * time). A stored file that is missing or not of its recorded size fails the stream (a broken
   * download, never a zip that looks whole), and so does a reader that goes away; either way the
   * open file is closed.
   */
  private writeZip(entries: PackageEntry[], mtime: Date, out: Writable): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const zip = new ZipFile();
      let reading: Readable | undefined;
      const fail = (error: Error) => {
        reading?.destroy();
        (zip.outputStream as Readable).destroy();
        out.destroy(error);
        reject(error);
      };
      zip.on('error', fail);
      for (const entry of entries) {
        if ('data' in entry) {
          zip.addBuffer(entry.data, entry.path, { mtime, mode: ENTRY_MODE, compress: true });
          continue;
        }
        zip.addReadStreamLazy(entry.path, { mtime, mode: ENTRY_MODE, compress: false, size: entry.size }, (open) => {
          reading = this.storage.get(entry.storageKey);
          reading.once('error', fail);
          open(null, reading);
        });
      }
      zip.end();
      pipeline(zip.outputStream, out).then(resolve, fail);
    });
  }

  /**
   * Adds `maiml/<uuid>.maiml` (MaiML 1.0, JIS K 0200) for tools that ask for it, and lists it in
   * the crate as a File. Its insertions point from `maiml/` to the data files (`../raw/…`).
   */
  private addMaiml(input: PackageInput, layout: PackageLayout): void {
    const fromMaimlFolder = new Map([...layout.filePaths].map(([id, path]) => [id, `../${path}`]));
    const xml = buildMaiml(input, fromMaimlFolder);
    const path = `maiml/${deterministicUuid(input.dataset.id, 'maiml-document-file')}.maiml`;
    layout.json.set(path, xml);
    const crate = layout.json.get('ro-crate-metadata.json') as { '@graph': Record<string, unknown>[] };
    const root = crate['@graph'].find((entity) => entity['@id'] === './')!;
    (root.hasPart as { '@id': string }[]).push({ '@id': path });
    const bytes = Buffer.from(xml, 'utf8');
    crate['@graph'].push({ '@id': path, '@type': 'File', name: 'MaiML document (JIS K 0200)', contentSize: String(bytes.length), encodingFormat: 'application/xml', sha256: sha256(bytes) });
  }

  /** What the package says about the version, read in a handful of queries. */
  private async input(dataset: DatasetView): Promise<PackageInput> {
    const q = <T>(sql: string, params: unknown[]) => this.dataSource.query(sql, params) as Promise<T[]>;
    const [samples, [owner], [center], equipment, actions] = await Promise.all([
      q<{ id: string; code: string; name: string; material: string | null; form: string }>(
        'SELECT s.id, s.code, s.name, s.material, s.form FROM samples s JOIN dataset_samples ds ON ds.sample_id = s.id WHERE ds.dataset_id = $1 ORDER BY s.code',
        [dataset.id],
      ),
      q<{ id: string; name: string }>('SELECT id, name FROM organizations WHERE id = $1', [dataset.organizationId]),
      q<{ id: string; code: string; name_en: string }>('SELECT id, code, name_en FROM centers WHERE id = $1', [dataset.centerId]),
      dataset.equipmentId
        ? q<{ id: string; code: string; name_en: string; name_ja: string; category: string; rde_instrument_id: string | null; maiml_output: boolean }>(
            'SELECT id, code, name_en, name_ja, category, rde_instrument_id, maiml_output FROM equipment WHERE id = $1',
            [dataset.equipmentId],
          )
        : Promise.resolve([]),
      q<{ id: string; type: 'process_step' | 'measured'; occurred_at: Date; actor_id: string | null; equipment_id: string | null; sample_id: string; payload: Record<string, unknown> }>(
        `SELECT e.id, e.type, e.occurred_at, e.actor_id, e.equipment_id, e.sample_id, e.payload
           FROM sample_events e JOIN dataset_samples ds ON ds.sample_id = e.sample_id
          WHERE ds.dataset_id = $1 AND e.type IN ('process_step', 'measured') AND e.occurred_at <= $2
          ORDER BY e.occurred_at, e.id`,
        [dataset.id, dataset.createdAt],
      ),
    ]);
    const personIds = [...new Set([dataset.operatorId, dataset.createdBy, ...actions.map((a) => (a.payload.operatorId as string | undefined) ?? a.actor_id)].filter((v): v is string => !!v))].sort();
    const people = personIds.length ? await q<{ id: string; name: string }>('SELECT id, display_name AS name FROM users WHERE id = ANY($1) ORDER BY id', [personIds]) : [];
    const tool = equipment[0];
    return {
      dataset: {
        id: dataset.id,
        seriesId: dataset.seriesId,
        version: dataset.version,
        previousId: dataset.previousId,
        title: dataset.title,
        description: dataset.description,
        technique: dataset.technique,
        measuredAt: dataset.measuredAt,
        createdAt: dataset.createdAt,
        parameters: dataset.parameters,
        accessClass: dataset.accessClass,
        cabinetOfficeClass: dataset.cabinetOfficeClass,
        embargoUntil: dataset.embargoUntil,
        license: dataset.license,
        exportControl: dataset.exportControl,
        exportControlAt: dataset.exportControlAt,
        correctionReason: dataset.correctionReason,
      },
      experimentId: dataset.reservationId ?? dataset.serviceRequestId,
      files: dataset.files.map((f) => ({ id: f.id, name: f.name, size: f.size, sha256: f.sha256, mediaType: f.mediaType })),
      samples,
      equipment: tool
        ? { id: tool.id, code: tool.code, nameEn: tool.name_en, nameJa: tool.name_ja, category: tool.category, rdeInstrumentId: tool.rde_instrument_id, maimlOutput: tool.maiml_output }
        : null,
      owner,
      center: { id: center.id, code: center.code, nameEn: center.name_en },
      people,
      operatorId: dataset.operatorId,
      actions: actions.map((a) => {
        const isStep = a.type === 'process_step';
        return {
          id: a.id,
          type: a.type,
          name: isStep ? `${String(a.payload.recipe)}${a.payload.recipeVersion ? ` v${String(a.payload.recipeVersion)}` : ''}` : String(a.payload.method),
          startTime: isStep ? String(a.payload.startedAt) : a.occurred_at.toISOString(),
          endTime: isStep ? String(a.payload.endedAt) : a.occurred_at.toISOString(),
          agentId: (a.payload.operatorId as string | undefined) ?? a.actor_id,
          equipmentId: a.equipment_id && a.equipment_id === tool?.id ? a.equipment_id : null,
          sampleIds: [a.sample_id],
        };
      }),
    };
  }
}
