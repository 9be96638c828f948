import Ajv, { ErrorObject } from 'ajv';
import { PROCESS_RUN_CRATE, RDE_MAX_VALUE_BYTES, RO_CRATE_CONTEXT, RO_CRATE_SPEC } from './package-content';

/** One problem of a package: the file and the JSON pointer inside it. */
export interface PackageProblem {
  file: string;
  pointer: string;
  message: string;
}

const nonEmpty = { type: 'string', minLength: 1 } as const;
const rdeValue = { type: 'string', maxLength: RDE_MAX_VALUE_BYTES } as const;

/** RDE invoice: the basic block and a sample block whose id is null (or a real id), never "". */
const INVOICE_SCHEMA = {
  type: 'object',
  required: ['datasetId', 'basic', 'sample'],
  properties: {
    datasetId: nonEmpty,
    basic: {
      type: 'object',
      required: ['dateSubmitted', 'dataOwnerId', 'dataName', 'experimentId', 'description'],
      properties: {
        dateSubmitted: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        dataOwnerId: nonEmpty,
        dataName: { ...nonEmpty, maxLength: RDE_MAX_VALUE_BYTES },
        instrumentId: nonEmpty,
        experimentId: { anyOf: [nonEmpty, { type: 'null' }] },
        description: rdeValue,
      },
    },
    custom: { type: 'object' },
    sample: {
      type: 'object',
      required: ['sampleId', 'names'],
      properties: {
        sampleId: { anyOf: [nonEmpty, { type: 'null' }] },
        names: { type: 'array', minItems: 1, items: nonEmpty },
        composition: { anyOf: [rdeValue, { type: 'null' }] },
        referenceUrl: { anyOf: [nonEmpty, { type: 'null' }] },
        description: rdeValue,
      },
    },
  },
} as const;

/** RDE metadata: constants (and variables) with a value and an optional unit; no string over 1,024 bytes. */
const METADATA_SCHEMA = {
  type: 'object',
  required: ['constant', 'variable'],
  properties: {
    constant: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['value'],
        properties: { value: { anyOf: [rdeValue, { type: 'number' }, { type: 'boolean' }] }, unit: rdeValue },
        additionalProperties: false,
      },
    },
    variable: { type: 'array' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateInvoice = ajv.compile(INVOICE_SCHEMA);
const validateMetadata = ajv.compile(METADATA_SCHEMA);

function fromAjv(file: string, errors: ErrorObject[] | null | undefined): PackageProblem[] {
  return (errors ?? []).map((error) => ({ file, pointer: error.instancePath || '/', message: error.message ?? 'is not valid' }));
}

/**
 * Checks a package's JSON documents before it is offered: the RDE invoice and metadata against
 * their JSON Schemas, RDE's 1,024-byte limit on strings (bytes, not characters), every metadata
 * key declared in metadata-def.json, and the RO-Crate rules (1.2 context, root dataset with
 * name, description, datePublished, license and identifier, every data file a File with size,
 * format and SHA-256). Returns every problem found.
 */
export function validatePackage(json: Map<string, unknown>, dataFiles: string[]): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const invoice = json.get('invoice/invoice.json');
  if (!validateInvoice(invoice)) problems.push(...fromAjv('invoice/invoice.json', validateInvoice.errors));
  const metadata = json.get('meta/metadata.json') as { constant?: Record<string, { value: unknown }> } | undefined;
  if (!validateMetadata(metadata)) problems.push(...fromAjv('meta/metadata.json', validateMetadata.errors));
  // JSON Schema's maxLength counts characters; RDE's limit is in bytes (a Japanese character is three).
  problems.push(...overlong('invoice/invoice.json', invoice, ''), ...overlong('meta/metadata.json', metadata, ''));
  const definitions = (json.get('tasksupport/metadata-def.json') ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(metadata?.constant ?? {})) {
    if (!(key in definitions)) problems.push({ file: 'tasksupport/metadata-def.json', pointer: `/${escape(key)}`, message: 'is not declared' });
  }
  problems.push(...checkCrate(json.get('ro-crate-metadata.json') as { '@context'?: unknown; '@graph'?: Record<string, unknown>[] } | undefined, dataFiles));
  return problems;
}

function checkCrate(crate: { '@context'?: unknown; '@graph'?: Record<string, unknown>[] } | undefined, dataFiles: string[]): PackageProblem[] {
  const file = 'ro-crate-metadata.json';
  if (!crate || !Array.isArray(crate['@graph'])) return [{ file, pointer: '/@graph', message: 'is missing' }];
  const problems: PackageProblem[] = [];
  if (crate['@context'] !== RO_CRATE_CONTEXT) problems.push({ file, pointer: '/@context', message: `must be ${RO_CRATE_CONTEXT}` });
  const graph = crate['@graph'];
  const at = (id: string) => graph.findIndex((entity) => entity['@id'] === id);
  const descriptor = at('ro-crate-metadata.json');
  const conformsTo = descriptor >= 0 ? (graph[descriptor].conformsTo as { '@id': string }[] | undefined) : undefined;
  if (!conformsTo?.some((c) => c['@id'] === RO_CRATE_SPEC) || !conformsTo.some((c) => c['@id'] === PROCESS_RUN_CRATE)) {
    problems.push({ file, pointer: `/@graph/${descriptor}/conformsTo`, message: 'must name RO-Crate 1.2 and Process Run Crate 0.5' });
  }
  const root = at('./');
  if (root < 0) return [...problems, { file, pointer: '/@graph', message: 'has no root data entity "./"' }];
  for (const key of ['name', 'description', 'datePublished', 'license', 'identifier']) {
    if (graph[root][key] === undefined || graph[root][key] === '') problems.push({ file, pointer: `/@graph/${root}/${key}`, message: 'is required' });
  }
  for (const path of dataFiles) {
    const index = at(path);
    if (index < 0) {
      problems.push({ file, pointer: '/@graph', message: `has no File entity for ${path}` });
      continue;
    }
    for (const key of ['contentSize', 'encodingFormat', 'sha256']) {
      if (!graph[index][key]) problems.push({ file, pointer: `/@graph/${index}/${key}`, message: 'is required for a File' });
    }
  }
  graph.forEach((entity, index) => {
    if (entity['@type'] !== 'CreateAction') return;
    for (const key of ['startTime', 'endTime', 'object', 'result']) {
      if (entity[key] === undefined) problems.push({ file, pointer: `/@graph/${index}/${key}`, message: 'is required for a CreateAction (Process Run Crate)' });
    }
  });
  return problems;
}

/** Every string value over RDE's byte limit, with its JSON pointer. */
function overlong(file: string, value: unknown, pointer: string): PackageProblem[] {
  if (typeof value === 'string') {
    return Buffer.byteLength(value, 'utf8') > RDE_MAX_VALUE_BYTES ? [{ file, pointer: pointer || '/', message: `is over ${RDE_MAX_VALUE_BYTES} bytes` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => overlong(file, item, `${pointer}/${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => overlong(file, item, `${pointer}/${escape(key)}`));
  return [];
}

/** JSON pointer escaping (RFC 6901). */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
