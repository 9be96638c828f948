import { buildPackage, fitRdeValue, jsonBytes, PackageInput, RDE_MAX_VALUE_BYTES } from './package-content';
import { validatePackage } from './package-validation';

const input = (): PackageInput => ({
  dataset: {
    id: '11111111-1111-4111-8111-111111111111',
    seriesId: '11111111-1111-4111-8111-111111111111',
    version: 1,
    previousId: null,
    title: 'XRR of Al2O3',
    description: null,
    technique: 'XRR',
    measuredAt: new Date('2026-11-20T01:00:00Z'),
    createdAt: new Date('2026-11-21T01:00:00Z'),
    parameters: { wavelengthNm: 0.154, slits: { divergenceDeg: 0.5 }, angles: [0, 5] },
    accessClass: 'open',
    cabinetOfficeClass: '公開期間猶予',
    embargoUntil: '2029-04-01',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    exportControl: 'not-applicable',
    exportControlAt: null,
    correctionReason: null,
  },
  experimentId: null,
  files: [{ id: 'f1', name: 'scan.csv', size: 22, sha256: 'a'.repeat(64), mediaType: 'text/csv' }],
  samples: [{ id: 's1', code: 'KNS-26-000001', name: 'GaN wafer', material: 'GaN', form: 'wafer' }],
  equipment: { id: 'e1', code: 'XRD-01', nameEn: 'X-ray diffractometer', nameJa: 'X線回折装置', category: 'XRD', rdeInstrumentId: 'NIMS-XRD-0042', maimlOutput: false },
  owner: { id: 'o1', name: 'Tsukuba Photonics' },
  center: { id: 'c1', code: 'KNS', nameEn: 'Kanto Center' },
  people: [],
  operatorId: null,
  actions: [],
});

describe('package content and validation', () => {
  it('builds valid documents, the same bytes every time, with nested parameters flattened and declared', () => {
    const first = buildPackage(input());
    expect(validatePackage(first.json, [...first.filePaths.values()])).toEqual([]);
    const second = buildPackage(input());
    for (const [path, value] of first.json) expect(jsonBytes(second.json.get(path))).toEqual(jsonBytes(value));
    const metadata = first.json.get('meta/metadata.json') as { constant: Record<string, { value: unknown }> };
    expect(metadata.constant['parameters.slits.divergenceDeg']).toEqual({ value: 0.5 });
    expect(metadata.constant['parameters.angles']).toEqual({ value: '[0,5]' });
  });

  it('leaves a null parameter out of the metadata and its definitions, and stays valid', () => {
    const withNull = input();
    withNull.dataset.parameters = { wavelengthNm: 0.154, note: null, slits: { receivingMm: null, divergenceDeg: 0.5 } };
    const layout = buildPackage(withNull);
    expect(validatePackage(layout.json, [...layout.filePaths.values()])).toEqual([]);
    const metadata = layout.json.get('meta/metadata.json') as { constant: Record<string, unknown> };
    expect(Object.keys(metadata.constant).filter((key) => key.startsWith('parameters.'))).toEqual(['parameters.slits.divergenceDeg', 'parameters.wavelengthNm']);
    expect(layout.json.get('tasksupport/metadata-def.json')).not.toHaveProperty(['parameters.note']);
  });

  it('cuts a long Japanese description to 1,024 bytes in the invoice and keeps it whole in the RO-Crate', () => {
    const long = input();
    long.dataset.description = '膜厚と密度の評価'.repeat(50); // 400 characters, 1,200 bytes
    long.dataset.correctionReason = '検出器の不感時間補正が欠落'.repeat(100); // a correction's reason may be 2,000 characters
    const layout = buildPackage(long);
    expect(validatePackage(layout.json, [...layout.filePaths.values()])).toEqual([]);
    const invoice = layout.json.get('invoice/invoice.json') as { basic: { description: string } };
    expect(Buffer.byteLength(invoice.basic.description, 'utf8')).toBeLessThanOrEqual(RDE_MAX_VALUE_BYTES);
    expect(invoice.basic.description.endsWith('…')).toBe(true);
    expect(long.dataset.description.startsWith(invoice.basic.description.slice(0, -1))).toBe(true);
    const crate = layout.json.get('ro-crate-metadata.json') as { '@graph': Record<string, unknown>[] };
    expect(crate['@graph'].find((entity) => entity['@id'] === './')!.description).toBe(long.dataset.description);
  });

  it('cuts the sample description of 40 samples to 1,024 bytes and still names every sample', () => {
    const many = input();
    many.samples = Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, code: `KNS-26-${String(i + 1).padStart(6, '0')}`, name: `GaN wafer W${i + 1}`, material: 'GaN', form: 'wafer' }));
    const layout = buildPackage(many);
    expect(validatePackage(layout.json, [...layout.filePaths.values()])).toEqual([]);
    const invoice = layout.json.get('invoice/invoice.json') as { sample: { names: string[]; description: string } };
    expect(invoice.sample.names).toHaveLength(40);
    expect(Buffer.byteLength(invoice.sample.description, 'utf8')).toBeLessThanOrEqual(RDE_MAX_VALUE_BYTES);
    expect(invoice.sample.description.startsWith('KNS-26-000001: GaN wafer W1; ')).toBe(true);
  });

  it('cuts text at a character boundary, never inside a multi-byte character', () => {
    expect(fitRdeValue('short')).toBe('short');
    expect(fitRdeValue('x'.repeat(RDE_MAX_VALUE_BYTES))).toBe('x'.repeat(RDE_MAX_VALUE_BYTES));
    const cut = fitRdeValue('😀'.repeat(300)); // four bytes each
    expect(cut).toBe(`${'😀'.repeat(255)}…`); // 1,020 + 3 bytes
    expect(fitRdeValue('あ'.repeat(400))).toBe(`${'あ'.repeat(340)}…`); // 1,020 + 3 bytes
  });

  it('names the file and JSON pointer of every problem', () => {
    const long = input();
    long.dataset.parameters = { note: 'x'.repeat(1025) };
    const layout = buildPackage(long);
    const invoice = layout.json.get('invoice/invoice.json') as { basic: { dataName: string }; sample: { sampleId: unknown } };
    invoice.basic.dataName = 'あ'.repeat(400); // 1,200 bytes in UTF-8: over RDE's 1,024
    invoice.sample.sampleId = '';
    const problems = validatePackage(layout.json, [...layout.filePaths.values(), 'raw/missing.bin']);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'invoice/invoice.json', pointer: '/basic/dataName' }),
        expect.objectContaining({ file: 'invoice/invoice.json', pointer: '/sample/sampleId' }),
        expect.objectContaining({ file: 'meta/metadata.json', pointer: '/constant/parameters.note/value' }),
        expect.objectContaining({ file: 'ro-crate-metadata.json', pointer: '/@graph', message: 'has no File entity for raw/missing.bin' }),
      ]),
    );
  });
});
