import { buildPackage, jsonBytes, PackageInput } from './package-content';
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

  it('names the file and JSON pointer of every problem', () => {
    const long = input();
    long.dataset.title = 'あ'.repeat(400); // 1,200 bytes in UTF-8: over RDE's 1,024
    long.dataset.parameters = { note: 'x'.repeat(1025) };
    const layout = buildPackage(long);
    const invoice = layout.json.get('invoice/invoice.json') as { sample: { sampleId: unknown } };
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
