import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64Sha256, buildMaiml, deterministicUuid } from './maiml';
import type { PackageInput } from './package-content';

/** The official MaiML 1.0 XSDs, shared beside the repository (see their README.md). */
// The official XSDs, kept in the repository (vendor/maiml-1.0, see its README for where they come from).
const SCHEMA = join(__dirname, '../../../vendor/maiml-1.0/maiml.xsd');
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[3-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

const SCAN_SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const IMAGE_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A realistic version: Japanese text, two files, nested parameters, a process step and a measurement. */
const input = (): PackageInput => ({
  dataset: {
    id: '5a0c7f62-3d2e-4c1b-9e8f-0a1b2c3d4e5f',
    seriesId: '5a0c7f62-3d2e-4c1b-9e8f-0a1b2c3d4e5f',
    version: 2,
    previousId: '0f0e0d0c-0b0a-4908-8706-050403020100',
    title: 'GaN薄膜のX線反射率測定 <R&D> "第2版"',
    description: '膜厚と密度の評価。\n二行目 & 以上',
    technique: 'XRR',
    measuredAt: new Date('2026-11-20T01:30:00Z'),
    createdAt: new Date('2026-11-21T02:00:00Z'),
    parameters: {
      wavelengthNm: 0.15406,
      scans: 3,
      counts: 12345678901,
      autoAlign: true,
      note: null,
      slits: { divergenceDeg: 0.5, receiving: { widthMm: 0.1 } },
      angles: [0, 5],
      '2θ range': '0–5°',
      試料温度: '室温',
    },
    accessClass: 'open',
    cabinetOfficeClass: '公開期間猶予',
    embargoUntil: '2029-04-01',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    exportControl: 'not-applicable',
    exportControlAt: null,
    correctionReason: null,
  },
  experimentId: '7d1f0000-0000-4000-8000-000000000001',
  files: [
    { id: 'f2', name: '反射率 画像.png', size: 204800, sha256: IMAGE_SHA, mediaType: 'image/png' },
    { id: 'f1', name: 'scan.csv', size: 2048, sha256: SCAN_SHA, mediaType: 'text/csv' },
  ],
  samples: [
    { id: 's1', code: 'KNS-26-000001', name: 'GaN ウェハ 1', material: 'GaN', form: 'wafer' },
    { id: 's2', code: 'KNS-26-000002', name: 'サファイア基板', material: null, form: 'substrate' },
  ],
  equipment: { id: 'e1', code: 'XRD-01', nameEn: 'X-ray diffractometer', nameJa: 'X線回折装置', category: 'XRD', rdeInstrumentId: 'a1b2c3d4-rde', maimlOutput: true },
  owner: { id: 'o1', name: '筑波フォトニクス株式会社' },
  center: { id: 'c1', code: 'KNS', nameEn: 'Kanto Center' },
  people: [
    { id: 'u1', name: '山田 太郎' },
    { id: 'u2', name: '佐藤 花子' },
  ],
  operatorId: 'u2',
  actions: [
    { id: 'a1', type: 'process_step', name: 'ALD Al2O3 v3', startTime: '2026-11-19T00:00:00.000Z', endTime: '2026-11-19T01:30:00.000Z', agentId: 'u1', equipmentId: null, sampleIds: ['s1'] },
    { id: 'a2', type: 'measured', name: 'XRR', startTime: '2026-11-20T01:30:00.000Z', endTime: '2026-11-20T01:30:00.000Z', agentId: 'u2', equipmentId: 'e1', sampleIds: ['s1'] },
  ],
});

const paths = (pkg: PackageInput) => new Map(pkg.files.map((file) => [file.id, `raw/${file.name}`]));

let dir: string;
beforeAll(() => {
  if (!existsSync(SCHEMA)) throw new Error(`MaiML schema not found at ${SCHEMA}`);
  dir = mkdtempSync(join(tmpdir(), 'maiml-spec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let written = 0;
function save(xml: string): string {
  const file = join(dir, `doc-${++written}.maiml`);
  writeFileSync(file, xml, 'utf8');
  return file;
}

/** Runs xmllint against the official schema: `ok` and its messages. */
function validate(xml: string): { ok: boolean; output: string } {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, save(xml)], { stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (error) {
    const failure = error as { stderr?: Buffer; message: string };
    return { ok: false, output: failure.stderr?.toString('utf8') ?? failure.message };
  }
}

/** Reads a value back through a real XML parser, to prove the escaping round-trips. */
function xpath(xml: string, expression: string): string {
  // xmllint ends a string result with a newline of its own.
  return execFileSync('xmllint', ['--nonet', '--xpath', expression, save(xml)], { encoding: 'utf8' }).replace(/\n$/, '');
}
const maiml = (name: string) => `*[local-name()='${name}']`;

describe('MaiML document', () => {
  it('validates against the MaiML 1.0 schema, and the same input gives the same bytes', () => {
    const xml = buildMaiml(input(), paths(input()));
    expect(validate(xml)).toEqual({ ok: true, output: '' });
    expect(buildMaiml(input(), paths(input()))).toBe(xml);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<maiml xmlns="http://www.maiml.org/schemas"')).toBe(true);
    expect(xml).toContain('xsi:type="maimlRootType"');
  });

  it('puts each data file in an insertion with its package path and base64 SHA-256', () => {
    const xml = buildMaiml(input(), paths(input()));
    const scanHash = Buffer.from(SCAN_SHA, 'hex').toString('base64');
    expect(base64Sha256(SCAN_SHA)).toBe(scanHash);
    const compact = xml.replace(/>\s+</g, '><');
    expect(compact).toContain(`<insertion><uri>raw/scan.csv</uri><hash method="SHA-256">${scanHash}</hash>`);
    expect(xml).toContain(`<hash method="SHA-256">${Buffer.from(IMAGE_SHA, 'hex').toString('base64')}</hash>`);
    // A non-ASCII path is percent-encoded into a URI that decodes to the package path.
    expect(decodeURIComponent(xpath(xml, `string(//${maiml('result')}[${maiml('description')}='反射率 画像.png']/${maiml('insertion')}/${maiml('uri')})`))).toBe('raw/反射率 画像.png');
    expect(() => base64Sha256('not-hex')).toThrow('not a hex SHA-256');
  });

  it('keeps Japanese text and markup characters intact', () => {
    const pkg = input();
    const xml = buildMaiml(pkg, paths(pkg));
    expect(xpath(xml, `string(/${maiml('maiml')}/${maiml('document')}/${maiml('description')})`)).toBe(pkg.dataset.title);
    expect(xpath(xml, `string(/${maiml('maiml')}/${maiml('document')}/${maiml('annotation')})`)).toBe(pkg.dataset.description);
    expect(xpath(xml, `string(//${maiml('instrument')}/${maiml('property')}[@key='hub:nameJa']/${maiml('value')})`)).toBe('X線回折装置');
  });

  it('describes instrument, method, samples, conditions, results and events', () => {
    const xml = buildMaiml(input(), paths(input()));
    expect(xml).toContain('<instrument id="instrument">');
    expect(xml).toContain('<instrumentRef id="creator_instrumentRef" ref="instrument"/>');
    expect(xml).toContain('<property key="hub:rdeInstrumentId" xsi:type="stringType">');
    expect(xml).toMatch(/<method id="method">\n\s+<uuid>[^<]+<\/uuid>\n\s+<description>XRR<\/description>/);
    expect(xml).toContain('<material id="material_2" ref="materialTemplate_2">');
    // Nested parameters flattened to dotted keys, typed by their values.
    expect(xml).toContain('<property key="hub:parameters.slits.receiving.widthMm" xsi:type="doubleType">');
    expect(xml).toContain('<property key="hub:parameters.counts" xsi:type="longType">');
    expect(xml).toContain('<property key="hub:parameters.autoAlign" xsi:type="booleanType">');
    expect(xml).not.toContain('hub:parameters.note'); // a null parameter says nothing: left out
    // A key that is not a QName is encoded, and its real name kept beside it.
    expect(xml).toContain('<property key="hub:parameters.2_x03B8__x0020_range" xsi:type="stringType">\n            <description>parameters.2θ range</description>');
    expect(xml).toContain('<property key="hub:parameters._x8A66__x6599__x6E29__x5EA6_" xsi:type="stringType">');
    // The process step and the measurement, each with start and complete events and times.
    expect(xml).toContain('<event id="event_1_start" ref="instruction_step_1">');
    expect(xml).toContain('<event id="event_2_complete" ref="instruction_measurement">');
    expect(xml).toContain('<resultsRef id="event_2_complete_resultsRef" ref="results"/>');
    expect(xml).toContain('<value>2026-11-19T01:30:00.000Z</value>');
    expect(xml).toContain('<value>山田 太郎</value>');
    expect(xml).not.toContain('event_measurement'); // the measurement record stands for it
  });

  it('uses distinct, schema-shaped uuids derived from the dataset id', () => {
    const xml = buildMaiml(input(), paths(input()));
    const uuids = [...xml.matchAll(/<uuid>([^<]*)<\/uuid>/g)].map((match) => match[1]);
    expect(uuids.length).toBeGreaterThan(20);
    for (const uuid of uuids) expect(uuid).toMatch(UUID);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(uuids[0]).toBe(deterministicUuid(input().dataset.id, 'document'));
    const other = input();
    other.dataset.id = '99999999-9999-4999-8999-999999999999';
    expect(buildMaiml(other, paths(other))).not.toContain(uuids[0]);
  });

  it('really checks: a corrupted uuid or a missing root type fails validation', () => {
    const xml = buildMaiml(input(), paths(input()));
    const uuid = xml.match(/<uuid>([^<]*)<\/uuid>/)![1];
    const badUuid = validate(xml.replace(`<uuid>${uuid}</uuid>`, `<uuid>${uuid.slice(0, 14)}0${uuid.slice(15)}</uuid>`)); // version 0
    expect(badUuid.ok).toBe(false);
    expect(badUuid.output).toContain("[facet 'pattern']");
    expect(validate(xml.replace(' xsi:type="maimlRootType"', '')).ok).toBe(false);
  });

  it('is valid without equipment and without actions: the measurement comes from measuredAt', () => {
    const pkg = input();
    pkg.equipment = null;
    pkg.actions = [];
    const xml = buildMaiml(pkg, paths(pkg));
    expect(validate(xml)).toEqual({ ok: true, output: '' });
    expect(xml).not.toContain('<instrument');
    expect(xml).toContain('<transition id="transition_measurement"/>');
    expect(xml).toContain('<event id="event_measurement_complete" ref="instruction_measurement">');
    expect(xml).toContain('<value>2026-11-20T01:30:00.000Z</value>');
    expect(xml).toContain('<value>佐藤 花子</value>'); // the dataset's operator
  });

  it('is valid for a bare version: no samples, files, parameters or description', () => {
    const pkg = input();
    Object.assign(pkg, { equipment: null, actions: [], samples: [], files: [], people: [], operatorId: null, experimentId: null });
    Object.assign(pkg.dataset, { description: null, previousId: null, embargoUntil: null, license: null, parameters: {} });
    expect(validate(buildMaiml(pkg, new Map()))).toEqual({ ok: true, output: '' });
  });
});
