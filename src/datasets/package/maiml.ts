import { createHash } from 'node:crypto';
import type { PackageInput } from './package-content';
import { flattenParameters } from '../../common/flatten-parameters';

/**
 * MaiML 1.0 (JIS K 0200) document for one dataset version.
 *
 * The document is built only from the input, with fixed element order and deterministic uuids,
 * so the same version always gives the same bytes (the package is checksummed and compared
 * across builds). It validates against the official XSDs (`maiml.xsd`, root type
 * `maimlRootType`):
 *
 * - `document`: the dataset (title, ids, access), the creator (Foundry Hub), its vendor (the
 *   center that runs it), the data owner, the instrument (when known) and the version's date.
 * - `protocol`: one method (the technique) with a Petri net and a program: one instruction per
 *   process step, then the measurement; templates for the samples, the conditions and the result.
 * - `data`: the samples as materials, the instrument parameters as a condition, and one result per
 *   data file that points at the file inside the package (`insertion`: path and base64 SHA-256).
 * - `eventLog`: the process steps and the measurement as XES-style start/complete events.
 */

const MAIML_NAMESPACE = 'http://www.maiml.org/schemas';
/** Namespace of our own property keys (`hub:…`): keys are QNames, so they need one. */
const MAIML_HUB_NAMESPACE = 'https://foundry-hub.dev/maiml';

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
/** XES extensions the event properties use, as the MaiML examples declare them. */
const XES_EXTENSIONS = [
  { name: 'Concept', prefix: 'concept', uri: 'http://www.xes-standard.org/concept.xesext' },
  { name: 'Lifecycle', prefix: 'lifecycle', uri: 'http://www.xes-standard.org/lifecycle.xesext' },
  { name: 'Time', prefix: 'time', uri: 'http://www.xes-standard.org/time.xesext' },
  { name: 'Organizational', prefix: 'org', uri: 'http://www.xes-standard.org/org.xesext' },
];

type Action = PackageInput['actions'][number];

/**
 * The MaiML document (UTF-8 text with an XML declaration) for `input`. `filePaths` gives each
 * data file's path inside the package (`raw/scan.csv`); the insertion URIs are those paths,
 * relative to the package root, where the document is meant to sit.
 */
export function buildMaiml(input: PackageInput, filePaths: Map<string, string>): string {
  const { dataset } = input;
  const uuid = (role: string) => deterministicUuid(dataset.id, role);
  const personName = new Map(input.people.map((person) => [person.id, person.name]));
  const sampleCode = new Map(input.samples.map((sample) => [sample.id, sample.code]));

  // Process steps are instructions of their own; every measurement record (or, without one, the
  // dataset's own measuredAt) is an instance of the single measurement instruction.
  const steps = input.actions.filter((action) => action.type === 'process_step');
  const measured = input.actions.filter((action) => action.type === 'measured');
  const stepIndex = new Map(steps.map((action, i) => [action.id, i + 1]));
  const transitions = [...steps.map((_, i) => `transition_step_${i + 1}`), 'transition_measurement'];

  const files = [...input.files]
    .map((file) => {
      const path = filePaths.get(file.id);
      if (path === undefined) throw new Error(`MaiML: no package path for file ${file.id}`);
      return { ...file, path };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const measurementName = input.equipment ? `${dataset.technique} (${input.equipment.code} ${input.equipment.nameEn})` : dataset.technique;
  const sampleProperties = (sample: PackageInput['samples'][number]) => [
    property('hub:code', sample.code),
    ...(sample.material === null ? [] : [property('hub:material', sample.material)]),
    property('hub:form', sample.form),
  ];
  const conditionProperties = flattenParameters(dataset.parameters, 'parameters').map(([path, value]) => {
    const key = `hub:${ncName(path)}`;
    // The key had to be encoded into a QName: keep the parameter's real name beside it.
    return property(key, value, key === `hub:${path}` ? undefined : path);
  });

  const document = el('document', { id: 'document' }, [
    el('uuid', {}, uuid('document')),
    el('description', {}, dataset.title),
    dataset.description === null ? null : el('annotation', {}, dataset.description),
    property('hub:datasetId', dataset.id),
    property('hub:seriesId', dataset.seriesId),
    property('hub:version', dataset.version),
    dataset.previousId === null ? null : property('hub:previousId', dataset.previousId),
    input.experimentId === null ? null : property('hub:experimentId', input.experimentId),
    property('hub:technique', dataset.technique),
    property('hub:measuredAt', dataset.measuredAt),
    property('hub:accessClass', dataset.accessClass),
    property('hub:exportControl', dataset.exportControl),
    dataset.embargoUntil === null ? null : property('hub:embargoUntil', dataset.embargoUntil),
    dataset.license === null ? null : property('hub:license', dataset.license),
    // The creator is the software that wrote this document; the XSD requires it to name a vendor.
    el('creator', { id: 'creator' }, [
      el('uuid', {}, uuid('creator')),
      el('description', {}, 'Foundry Hub dataset package'),
      el('vendorRef', { id: 'creator_vendorRef', ref: 'vendor' }),
      input.equipment ? el('instrumentRef', { id: 'creator_instrumentRef', ref: 'instrument' }) : null,
    ]),
    // The center runs the hub and publishes the package, so it stands as the creator's vendor.
    el('vendor', { id: 'vendor' }, [el('uuid', {}, uuid('vendor')), el('description', {}, input.center.nameEn), property('hub:centerCode', input.center.code)]),
    el('owner', { id: 'owner' }, [el('uuid', {}, uuid('owner')), el('description', {}, input.owner.name), property('hub:organizationId', input.owner.id)]),
    input.equipment
      ? el('instrument', { id: 'instrument' }, [
          el('uuid', {}, uuid('instrument')),
          el('description', {}, input.equipment.nameEn),
          property('hub:code', input.equipment.code),
          property('hub:nameJa', input.equipment.nameJa),
          property('hub:category', input.equipment.category),
          input.equipment.rdeInstrumentId === null ? null : property('hub:rdeInstrumentId', input.equipment.rdeInstrumentId),
        ])
      : null,
    // The version's creation time, not the build time: rebuilding must not change the bytes.
    el('date', {}, iso(dataset.createdAt)),
  ]);

  // A proper Petri net: material → step 1 → … → measurement → result, with the conditions
  // feeding the measurement; a place sits between each pair of transitions.
  const between = transitions.slice(0, -1).map((_, i) => `place_after_${i + 1}`);
  // Arcs are listed along the chain, so the net reads in process order.
  const arcs: [string, string][] = [['place_material', transitions[0]]];
  transitions.forEach((transition, i) => {
    if (transition === 'transition_measurement') arcs.push(['place_condition', transition]);
    const next = between[i];
    if (next === undefined) arcs.push([transition, 'place_result']);
    else arcs.push([transition, next], [next, transitions[i + 1]]);
  });

  const instructions = [
    ...steps.map((action, i) =>
      el('instruction', { id: `instruction_step_${i + 1}` }, [
        el('uuid', {}, uuid(`instruction:${action.id}`)),
        el('description', {}, action.name),
        ...equipmentProperty(action, input),
        el('transitionRef', { id: `instruction_step_${i + 1}_transitionRef`, ref: `transition_step_${i + 1}` }),
      ]),
    ),
    el('instruction', { id: 'instruction_measurement' }, [
      el('uuid', {}, uuid('instruction:measurement')),
      el('description', {}, measurementName),
      property('hub:technique', dataset.technique),
      input.equipment ? property('hub:equipmentCode', input.equipment.code) : null,
      el('transitionRef', { id: 'instruction_measurement_transitionRef', ref: 'transition_measurement' }),
    ]),
  ];

  const protocol = el('protocol', { id: 'protocol' }, [
    el('uuid', {}, uuid('protocol')),
    el('description', {}, dataset.title),
    el('method', { id: 'method' }, [
      el('uuid', {}, uuid('method')),
      el('description', {}, dataset.technique),
      el('pnml', { id: 'pnml' }, [
        el('uuid', {}, uuid('pnml')),
        ...['place_material', 'place_condition', ...between, 'place_result'].map((id) => el('place', { id })),
        ...transitions.map((id) => el('transition', { id })),
        ...arcs.map(([source, target], i) => el('arc', { id: `arc_${i + 1}`, source, target })),
      ]),
      el('program', { id: 'program' }, [
        el('uuid', {}, uuid('program')),
        ...instructions,
        ...input.samples.map((sample, i) =>
          el('materialTemplate', { id: `materialTemplate_${i + 1}` }, [
            el('uuid', {}, uuid(`materialTemplate:${sample.id}`)),
            el('description', {}, sample.name),
            ...sampleProperties(sample),
            el('placeRef', { id: `materialTemplate_${i + 1}_placeRef`, ref: 'place_material' }),
          ]),
        ),
        el('conditionTemplate', { id: 'conditionTemplate' }, [
          el('uuid', {}, uuid('conditionTemplate')),
          el('description', {}, 'Instrument parameters'),
          ...conditionProperties,
          el('placeRef', { id: 'conditionTemplate_placeRef', ref: 'place_condition' }),
        ]),
        el('resultTemplate', { id: 'resultTemplate' }, [
          el('uuid', {}, uuid('resultTemplate')),
          el('description', {}, 'Data files'),
          el('placeRef', { id: 'resultTemplate_placeRef', ref: 'place_result' }),
        ]),
      ]),
    ]),
  ]);

  const data = el('data', { id: 'data' }, [
    el('uuid', {}, uuid('data')),
    el('results', { id: 'results' }, [
      el('uuid', {}, uuid('results')),
      el('description', {}, dataset.title),
      ...input.samples.map((sample, i) =>
        el('material', { id: `material_${i + 1}`, ref: `materialTemplate_${i + 1}` }, [
          el('uuid', {}, uuid(`sample:${sample.id}`)),
          el('description', {}, sample.name),
          ...sampleProperties(sample),
        ]),
      ),
      el('condition', { id: 'condition', ref: 'conditionTemplate' }, [
        el('uuid', {}, uuid('condition')),
        el('description', {}, 'Instrument parameters'),
        ...conditionProperties,
      ]),
      ...files.map((file, i) =>
        el('result', { id: `result_${i + 1}`, ref: 'resultTemplate' }, [
          el('uuid', {}, uuid(`result:${file.id}`)),
          el('insertion', {}, [
            el('uri', {}, packageUri(file.path)),
            el('hash', { method: 'SHA-256' }, base64Sha256(file.sha256)),
            el('uuid', {}, uuid(`file:${file.id}`)),
            el('format', {}, file.mediaType),
          ]),
          el('description', {}, file.name),
          property('hub:size', file.size, undefined, 'byte'),
        ]),
      ),
    ]),
  ]);

  // One instance (start and complete events) per action, in the input's (time) order.
  const events: XmlElement[] = [];
  const instance = (opts: { key: string; ref: string; name: string; start: string | null; end: string; agent: string | null; sampleIds: string[]; results: boolean }) => {
    const instanceUuid = uuid(`instance:${opts.key}`);
    const phases: ['start' | 'complete', string][] = opts.start === null ? [['complete', opts.end]] : [['start', opts.start], ['complete', opts.end]];
    for (const [phase, time] of phases) {
      const id = `event_${opts.key}_${phase}`;
      const agent = opts.agent === null ? undefined : personName.get(opts.agent);
      events.push(
        el('event', { id, ref: opts.ref }, [
          el('uuid', {}, uuid(`event:${opts.key}:${phase}`)),
          property('concept:name', opts.name),
          property('concept:instance', { uuid: instanceUuid }),
          property('lifecycle:transition', phase),
          // An unreadable time is left out rather than guessed (the value is optional).
          isXsDateTime(time) ? property('time:timestamp', { dateTime: time }) : null,
          agent === undefined ? null : property('org:resource', agent),
          ...opts.sampleIds.flatMap((id) => (sampleCode.has(id) ? [property('hub:sample', sampleCode.get(id)!)] : [])),
          opts.results && phase === 'complete' ? el('resultsRef', { id: `${id}_resultsRef`, ref: 'results' }) : null,
        ]),
      );
    }
  };
  input.actions.forEach((action, i) => {
    const step = stepIndex.get(action.id);
    const ref = step === undefined ? 'instruction_measurement' : `instruction_step_${step}`;
    instance({ key: String(i + 1), ref, name: action.name, start: action.startTime, end: action.endTime, agent: action.agentId, sampleIds: action.sampleIds, results: step === undefined });
  });
  if (measured.length === 0) {
    // No measurement record on the samples: the dataset's measuredAt is the only time known.
    const allSamples = input.samples.map((sample) => sample.id);
    instance({ key: 'measurement', ref: 'instruction_measurement', name: dataset.technique, start: null, end: iso(dataset.measuredAt), agent: input.operatorId, sampleIds: allSamples, results: true });
  }

  const eventLog = el('eventLog', { id: 'eventLog' }, [
    el('uuid', {}, uuid('eventLog')),
    el('log', { id: 'log', ref: 'method' }, [
      el('uuid', {}, uuid('log')),
      ...XES_EXTENSIONS.map((ext) => el('extension', { name: ext.name, prefix: ext.prefix, uri: ext.uri })),
      el('trace', { id: 'trace', ref: 'program' }, [el('uuid', {}, uuid('trace')), ...events]),
      el('creatorRef', { id: 'log_creatorRef', ref: 'creator' }),
      el('ownerRef', { id: 'log_ownerRef', ref: 'owner' }),
    ]),
  ]);

  const root = el(
    'maiml',
    {
      xmlns: MAIML_NAMESPACE,
      'xmlns:xsi': XSI_NAMESPACE,
      'xmlns:hub': MAIML_HUB_NAMESPACE,
      ...Object.fromEntries(XES_EXTENSIONS.map((ext) => [`xmlns:${ext.prefix}`, `${ext.uri}#`])),
      version: '1.0',
      // <maiml>'s declared type is abstract: the instance must name the concrete one.
      'xsi:type': 'maimlRootType',
    },
    [document, protocol, data, eventLog],
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, 0)}`;
}

function equipmentProperty(action: Action, input: PackageInput): XmlElement[] {
  return action.equipmentId !== null && input.equipment?.id === action.equipmentId ? [property('hub:equipmentCode', input.equipment.code)] : [];
}

// ---------------------------------------------------------------------------------------------
// Identifiers and values

/**
 * A uuid that depends only on the dataset and the role of the thing it names, so rebuilding
 * gives the same document. The first 16 bytes of SHA-256(`datasetId:role`) with the version set
 * to 5 and the RFC 4122 variant: the MaiML pattern only admits versions 3 to 5.
 */
export function deterministicUuid(datasetId: string, role: string): string {
  const bytes = createHash('sha256').update(`${datasetId}:${role}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** MaiML's `hash` is xs:base64Binary, while we keep SHA-256 as hex. */
export function base64Sha256(hex: string): string {
  // Buffer.from silently drops bad hex, which would put a wrong checksum in the package.
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`MaiML: not a hex SHA-256: ${JSON.stringify(hex)}`);
  return Buffer.from(hex, 'hex').toString('base64');
}

/** A package path as a relative URI reference: each segment percent-encoded (spaces, Japanese…). */
function packageUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

const iso = (date: Date) => date.toISOString();

function isXsDateTime(value: string): boolean {
  return /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(value);
}

/**
 * A dotted parameter path as an NCName (a QName's local part). Letters, digits, `.`, `-` and `_`
 * stay; anything else (spaces, `/`, Japanese, a leading digit) becomes `_xHHHH_`, so keys stay
 * distinct and readable; the caller records the original name when it changed.
 */
function ncName(path: string): string {
  let out = '';
  for (const char of path) {
    const ok = out === '' ? /[A-Za-z_]/.test(char) : /[A-Za-z0-9._-]/.test(char);
    out += ok ? char : `_x${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}_`;
  }
  return out;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * A MaiML `property` with the xsi:type that fits the value: intType/longType/doubleType for
 * numbers, booleanType, dateTimeType for Dates and `{ dateTime }`, uuidType for `{ uuid }`, and
 * stringType for the rest (null gives a property without a value: known key, unknown value).
 */
function property(key: string, value: unknown, description?: string, units?: string): XmlElement {
  let type = 'stringType';
  let text: string | null;
  if (value === null) text = null;
  else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX) type = 'intType';
    else if (Number.isSafeInteger(value)) type = 'longType';
    else type = 'doubleType';
    text = xsNumber(value);
  } else if (typeof value === 'boolean') {
    type = 'booleanType';
    text = String(value);
  } else if (value instanceof Date) {
    type = 'dateTimeType';
    text = iso(value);
  } else if (typeof value === 'object' && 'dateTime' in value) {
    type = 'dateTimeType';
    text = String(value.dateTime);
  } else if (typeof value === 'object' && 'uuid' in value) {
    type = 'uuidType';
    text = String(value.uuid);
  } else text = typeof value === 'string' ? value : JSON.stringify(value);
  return el('property', { key, 'xsi:type': type, units }, [description === undefined ? null : el('description', {}, description), text === null ? null : el('value', {}, text)]);
}

/** JavaScript's number text is valid xs:double except for the infinities. */
function xsNumber(value: number): string {
  if (value === Infinity) return 'INF';
  if (value === -Infinity) return '-INF';
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// A minimal XML writer: elements hold either text or children, attributes keep their order.

interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  content: string | XmlElement[];
}

function el(name: string, attrs: Record<string, string | undefined>, content: string | (XmlElement | null)[] = []): XmlElement {
  return { name, attrs, content: typeof content === 'string' ? content : content.filter((child): child is XmlElement => child !== null) };
}

function render(node: XmlElement, depth: number): string {
  const indent = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('');
  if (typeof node.content === 'string') return `${indent}<${node.name}${attrs}>${escapeText(node.content)}</${node.name}>\n`;
  if (node.content.length === 0) return `${indent}<${node.name}${attrs}/>\n`;
  return `${indent}<${node.name}${attrs}>\n${node.content.map((child) => render(child, depth + 1)).join('')}${indent}</${node.name}>\n`;
}

/**
 * Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/FFFF)
 * become U+FFFD; a character reference would not help, since those are forbidden too.
 */
function xmlChars(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function escapeText(value: string): string {
  // \r as a reference: a parser would otherwise turn CR LF into LF.
  return xmlChars(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function escapeAttribute(value: string): string {
  // Tabs and line breaks as references: attribute normalisation would turn them into spaces.
  return escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
