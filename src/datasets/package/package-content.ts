import { createHash } from 'node:crypto';
import type { AccessClass, ExportControl } from '../dataset.entity';
import { flattenParameters } from '../../common/flatten-parameters';

/** Everything a package says, gathered by the service; building from it is pure and deterministic. */
export interface PackageInput {
  dataset: {
    id: string;
    seriesId: string;
    version: number;
    previousId: string | null;
    title: string;
    description: string | null;
    technique: string;
    measuredAt: Date;
    createdAt: Date;
    parameters: Record<string, unknown>;
    accessClass: AccessClass;
    cabinetOfficeClass: string;
    embargoUntil: string | null;
    license: string | null;
    exportControl: ExportControl;
    exportControlAt: Date | null;
    correctionReason: string | null;
  };
  /** Reservation or service request the data came from: the RDE experiment id. */
  experimentId: string | null;
  files: { id: string; name: string; size: number; sha256: string; mediaType: string }[];
  samples: { id: string; code: string; name: string; material: string | null; form: string }[];
  equipment: { id: string; code: string; nameEn: string; nameJa: string; category: string; rdeInstrumentId: string | null; maimlOutput: boolean } | null;
  owner: { id: string; name: string };
  center: { id: string; code: string; nameEn: string };
  people: { id: string; name: string }[];
  operatorId: string | null;
  /** Process steps and measurements recorded on the samples (their custody events). */
  actions: {
    id: string;
    type: 'process_step' | 'measured';
    name: string;
    startTime: string;
    endTime: string;
    agentId: string | null;
    equipmentId: string | null;
    sampleIds: string[];
  }[];
}

/** The package's documents (JSON values, or text such as the MaiML XML), and where the data files go. */
export interface PackageLayout {
  json: Map<string, unknown>;
  /** Package path of each data file, by file id (`raw/…`, or `nonshared_raw/…` for closed data). */
  filePaths: Map<string, string>;
}

export const RO_CRATE_CONTEXT = 'https://w3id.org/ro/crate/1.2/context';
export const RO_CRATE_SPEC = 'https://w3id.org/ro/crate/1.2';
export const PROCESS_RUN_CRATE = 'https://w3id.org/ro/wfrun/process/0.5';
/** RDE's limit for a metadata string value. */
export const RDE_MAX_VALUE_BYTES = 1024;

const iso = (date: Date) => date.toISOString();

/**
 * The package's JSON documents and layout for one dataset version: an RO-Crate 1.2 (with the
 * Process Run Crate profile for the steps that made and measured the samples) laid out the
 * way NIMS RDE takes data in (invoice, meta, tasksupport, raw / nonshared_raw). Built only
 * from `input`, with keys in a fixed order, so the same version always gives the same bytes.
 */
export function buildPackage(input: PackageInput): PackageLayout {
  const { dataset } = input;
  const rawDir = dataset.accessClass === 'closed' ? 'nonshared_raw' : 'raw';
  const filePaths = new Map(input.files.map((file) => [file.id, `${rawDir}/${file.name}`]));
  const sampleRef = (id: string) => ({ '@id': `#sample-${id}` });
  const personRef = (id: string) => ({ '@id': `#person-${id}` });
  const equipmentRef = (id: string) => ({ '@id': `#equipment-${id}` });
  const conditions = [
    `Access class: ${dataset.accessClass} (${dataset.cabinetOfficeClass}).`,
    dataset.embargoUntil ? `Embargoed until ${dataset.embargoUntil}.` : 'No embargo.',
    `Export control: ${dataset.exportControl}.`,
  ].join(' ');

  const graph: Record<string, unknown>[] = [
    {
      '@id': 'ro-crate-metadata.json',
      '@type': 'CreativeWork',
      conformsTo: [{ '@id': RO_CRATE_SPEC }, { '@id': PROCESS_RUN_CRATE }],
      about: { '@id': './' },
    },
    {
      '@id': './',
      '@type': 'Dataset',
      name: dataset.title,
      description: dataset.description ?? dataset.title,
      datePublished: iso(dataset.createdAt),
      license: dataset.license ? { '@id': dataset.license } : { '@id': '#license-none' },
      identifier: `urn:uuid:${dataset.id}`,
      version: String(dataset.version),
      ...(dataset.previousId ? { isBasedOn: { '@id': `urn:uuid:${dataset.previousId}` } } : {}),
      conformsTo: [{ '@id': PROCESS_RUN_CRATE }],
      publisher: { '@id': `#center-${input.center.id}` },
      creator: { '@id': `#org-${input.owner.id}` },
      conditionsOfAccess: conditions,
      additionalProperty: [
        { '@id': '#prop-access-class' },
        { '@id': '#prop-cabinet-office-class' },
        { '@id': '#prop-embargo-until' },
        { '@id': '#prop-export-control' },
        { '@id': '#prop-technique' },
      ],
      hasPart: [...input.files].sort((a, b) => filePaths.get(a.id)!.localeCompare(filePaths.get(b.id)!)).map((file) => ({ '@id': filePaths.get(file.id) })),
      mentions: input.actions.map((action) => ({ '@id': `#action-${action.id}` })),
    },
    ...property('#prop-access-class', 'accessClass', dataset.accessClass),
    ...property('#prop-cabinet-office-class', 'cabinetOfficeClass', dataset.cabinetOfficeClass),
    ...property('#prop-embargo-until', 'embargoUntil', dataset.embargoUntil ?? 'none'),
    ...property('#prop-export-control', 'exportControlClassification', dataset.exportControl),
    ...property('#prop-technique', 'technique', dataset.technique),
    ...(dataset.license ? [] : [{ '@id': '#license-none', '@type': 'CreativeWork', name: 'No licence granted: use only as agreed with the owner' }]),
    ...[...input.files]
      .sort((a, b) => filePaths.get(a.id)!.localeCompare(filePaths.get(b.id)!))
      .map((file) => ({ '@id': filePaths.get(file.id), '@type': 'File', name: file.name, contentSize: String(file.size), encodingFormat: file.mediaType, sha256: file.sha256 })),
    ...(input.equipment
      ? [{ '@id': `#equipment-${input.equipment.id}`, '@type': 'IndividualProduct', name: `${input.equipment.code} ${input.equipment.nameEn}`, alternateName: input.equipment.nameJa, category: input.equipment.category }]
      : []),
    ...input.samples.map((sample) => ({ '@id': `#sample-${sample.id}`, '@type': 'Thing', name: sample.code, description: sample.name, additionalType: sample.form, ...(sample.material ? { material: sample.material } : {}) })),
    { '@id': `#org-${input.owner.id}`, '@type': 'Organization', name: input.owner.name },
    { '@id': `#center-${input.center.id}`, '@type': 'Organization', name: input.center.nameEn, identifier: input.center.code },
    ...input.people.map((person) => ({ '@id': `#person-${person.id}`, '@type': 'Person', name: person.name })),
    ...input.actions.map((action) => ({
      '@id': `#action-${action.id}`,
      '@type': 'CreateAction',
      name: action.name,
      startTime: action.startTime,
      endTime: action.endTime,
      ...(action.agentId ? { agent: personRef(action.agentId) } : {}),
      ...(action.equipmentId ? { instrument: equipmentRef(action.equipmentId) } : {}),
      object: action.sampleIds.map(sampleRef),
      result: action.type === 'measured' ? [{ '@id': './' }] : action.sampleIds.map(sampleRef),
    })),
  ];

  const sample = input.samples[0];
  // RDE takes at most 1,024 bytes per string: the invoice's free texts are cut to fit (the
  // RO-Crate above keeps them whole).
  const invoice = {
    datasetId: dataset.id,
    basic: {
      dateSubmitted: iso(dataset.createdAt).slice(0, 10),
      dataOwnerId: input.owner.id,
      dataName: fitRdeValue(dataset.title),
      // Only where the platform knows the tool: its RDE instrument id, never our own code.
      ...(input.equipment?.rdeInstrumentId ? { instrumentId: input.equipment.rdeInstrumentId } : {}),
      experimentId: input.experimentId,
      description: fitRdeValue(dataset.description ?? dataset.title),
    },
    custom: {},
    sample: {
      // The platform does not know our samples yet: no id, their codes as names.
      sampleId: null,
      names: input.samples.map((s) => s.code),
      composition: sample?.material ? fitRdeValue(sample.material) : null,
      referenceUrl: null,
      description: fitRdeValue(input.samples.map((s) => `${s.code}: ${s.name}`).join('; ')),
    },
  };

  const constants: Record<string, { value: unknown; unit?: string }> = {
    'dataset.version': { value: dataset.version },
    'dataset.measuredAt': { value: iso(dataset.measuredAt) },
    'dataset.technique': { value: dataset.technique },
    'dataset.accessClass': { value: dataset.accessClass },
    'dataset.exportControl': { value: dataset.exportControl },
  };
  if (dataset.embargoUntil) constants['dataset.embargoUntil'] = { value: dataset.embargoUntil };
  if (dataset.correctionReason) constants['dataset.correctionReason'] = { value: fitRdeValue(dataset.correctionReason) };
  for (const [key, value] of flattenParameters(dataset.parameters, 'parameters')) constants[key] = { value };
  const metadata = { constant: sortKeys(constants), variable: [] as unknown[] };
  const metadataDef = Object.fromEntries(
    Object.keys(metadata.constant).map((key) => [key, { name: { ja: key, en: key }, schema: { type: schemaType(metadata.constant[key].value) }, mode: 'constant' }]),
  );

  const json = new Map<string, unknown>([
    ['ro-crate-metadata.json', { '@context': RO_CRATE_CONTEXT, '@graph': graph }],
    ['invoice/invoice.json', invoice],
    ['meta/metadata.json', metadata],
    ['tasksupport/metadata-def.json', metadataDef],
  ]);
  return { json, filePaths };
}

const ELLIPSIS = '…';

/**
 * `text` within RDE's byte limit: unchanged if it fits, else cut at a character boundary (a
 * character is never split) and ended with '…', at most `maxBytes` UTF-8 bytes in all.
 */
export function fitRdeValue(text: string, maxBytes = RDE_MAX_VALUE_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > budget) break;
    end += char.length;
  }
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

function property(id: string, name: string, value: string): Record<string, unknown>[] {
  return [{ '@id': id, '@type': 'PropertyValue', name, value }];
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
}

function schemaType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/** The package's JSON documents as bytes: pretty-printed, UTF-8, one trailing newline. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/** `manifest-sha256.txt`: one `<sha256>  <path>` line per payload file, sorted by path. */
export function manifest(entries: { path: string; sha256: string }[]): Buffer {
  const lines = [...entries].sort((a, b) => a.path.localeCompare(b.path)).map((entry) => `${entry.sha256}  ${entry.path}`);
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
