import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, seedWorld, World } from './support/fixtures';
import { binary } from './support/binary';
import { createTestApp, TestApp } from './support/test-app';
import { readZip } from './support/zip';

const MAX_FILE_BYTES = 64 * 1024;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('datasets', () => {
  let t: TestApp;
  let world: World;
  let sampleA: { id: string };
  let sampleB: { id: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { DATASET_MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
    world = await seedWorld(t);
    const register = async (token: string, projectId: string) =>
      (await t.http().post('/api/v1/samples').set(bearer(token)).send({ centerId: world.centers.kns.id, projectId, name: 'Film F1', form: 'film' }).expect(201)).body;
    sampleA = await register(world.tokens.memberA, world.projects.a.id);
    sampleB = await register(world.tokens.memberB, world.projects.b.id);
  });
  afterAll(() => t.close());

  const metadata = (extra: Record<string, unknown> = {}) => ({
    title: 'XRR of Al2O3 on GaN',
    technique: 'XRR',
    sampleIds: [sampleA.id],
    equipmentId: world.tools[0].id,
    measuredAt: '2026-11-20T10:00:00+09:00',
    parameters: { wavelengthNm: 0.154 },
    accessClass: 'open',
    exportControl: 'not-applicable',
    ...extra,
  });
  const upload = (token: string, meta: unknown, files: [string, Buffer][] = [['scan.raw', Buffer.from('counts 1 2 3')]]) => {
    let req = t.http().post('/api/v1/datasets').set(bearer(token));
    for (const [name, data] of files) req = req.attach('files', data, name);
    return meta === undefined ? req : req.field('metadata', typeof meta === 'string' ? meta : JSON.stringify(meta));
  };
  const storedObjects = () => {
    try {
      return readdirSync(join(t.config.dataDir, 'datasets', 'objects'));
    } catch {
      return [];
    }
  };

  it('streams files to storage with size and SHA-256, applies the embargo rule and the default licence, and serves the bytes back', async () => {
    const raw = Buffer.alloc(50_000, 7);
    const res = await upload(world.tokens.memberA, metadata(), [
      ['xrr-w07.raw', raw],
      ['notes.txt', Buffer.from('測定メモ: 20.4 nm')],
    ]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      version: 1,
      previousId: null,
      organizationId: world.orgs.a.id,
      accessClass: 'open',
      embargoUntil: '2029-04-01',
      cabinetOfficeClass: '公開期間猶予',
      license: 'https://creativecommons.org/licenses/by/4.0/',
      exportControl: 'not-applicable',
      exportControlBy: world.users.memberA.id,
      sampleIds: [sampleA.id],
    });
    expect(res.body.seriesId).toBe(res.body.id);
    const file = res.body.files.find((f: { name: string }) => f.name === 'xrr-w07.raw');
    expect(file).toMatchObject({ size: 50_000, sha256: sha256(raw) });
    expect(file).not.toHaveProperty('storageKey');

    const download = await t.http().get(`/api/v1/datasets/${res.body.id}/files/${file.id}`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    expect(sha256(download.body as Buffer)).toBe(file.sha256);
    expect(Number(download.headers['content-length'])).toBe(50_000);

    expect((await t.http().get(`/api/v1/datasets/${res.body.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
    expect((await t.http().get(`/api/v1/datasets/${res.body.id}/files/${file.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
    const list = await t.http().get(`/api/v1/datasets?sampleId=${sampleA.id}`).set(bearer(world.tokens.memberA)).expect(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(res.body.id);
    await expect(t.dataSource.query(`UPDATE dataset_files SET name = 'x' WHERE id = $1`, [file.id])).rejects.toThrow(/append-only/);
  });

  it('refuses a file over the limit with 413 and keeps nothing of the upload', async () => {
    const before = storedObjects().length;
    const [{ n: rowsBefore }] = await t.dataSource.query('SELECT count(*)::int AS n FROM datasets');
    const res = await upload(world.tokens.memberA, metadata(), [
      ['small.txt', Buffer.from('fine')],
      ['huge.raw', Buffer.alloc(MAX_FILE_BYTES + 1, 1)],
    ]);
    expect(res.status).toBe(413);
    expect(res.body.errors).toEqual([{ field: 'files', message: 'huge.raw is too large' }]);
    expect(storedObjects().length).toBe(before);
    expect(storedObjects().filter((name) => name.endsWith('.part'))).toEqual([]);
    const [{ n: rowsAfter }] = await t.dataSource.query('SELECT count(*)::int AS n FROM datasets');
    expect(rowsAfter).toBe(rowsBefore);
  });

  it('answers bad uploads with a 400 naming the part or field, and keeps no file', async () => {
    const before = storedObjects().length;
    const cases: [unknown, string | undefined, string][] = [
      [metadata(), 'none', 'files'],
      [undefined, undefined, 'metadata'],
      ['{not json', undefined, 'metadata'],
      [metadata({ sampleIds: ['00000000-0000-4000-8000-000000000000'] }), undefined, 'metadata.sampleIds[0]'],
      [metadata({ sampleIds: [sampleB.id] }), undefined, 'metadata.sampleIds[0]'],
      [metadata({ equipmentId: '00000000-0000-4000-8000-000000000000' }), undefined, 'metadata.equipmentId'],
      [metadata({ accessClass: 'shared', embargoUntil: '2020-01-01' }), undefined, 'metadata.embargoUntil'],
      [metadata({ license: 'CC BY 4.0' }), undefined, 'metadata.license'],
      [metadata({ exportControl: 'secret' }), undefined, 'metadata.exportControl'],
      // A parameter value the platform's metadata cannot hold (over 1,024 bytes): refused at upload, not at packaging.
      [metadata({ parameters: { beam: { note: 'あ'.repeat(400) } } }), undefined, 'metadata.parameters.beam.note'],
    ];
    for (const [meta, files, field] of cases) {
      const res = await upload(world.tokens.memberA, meta, files === 'none' ? [] : undefined);
      expect([res.status, res.body.errors?.[0]?.field]).toEqual([400, field]);
    }
    expect(storedObjects().length).toBe(before);
    const json = await t.http().post('/api/v1/datasets').set(bearer(world.tokens.memberA)).send({ title: 'x' });
    expect(json.status).toBe(415);
  });

  it('corrects by a new version linked to the previous one, keeping unchanged files as they are', async () => {
    const first = (await upload(world.tokens.memberA, metadata(), [['a.raw', Buffer.from('aaa')], ['b.raw', Buffer.from('bbb')]]).expect(201)).body;
    const keep = first.files.find((f: { name: string }) => f.name === 'a.raw');
    const versionOf = (id: string, meta: unknown, files: [string, Buffer][]) => {
      let req = t.http().post(`/api/v1/datasets/${id}/versions`).set(bearer(world.tokens.memberA));
      for (const [name, data] of files) req = req.attach('files', data, name);
      return req.field('metadata', JSON.stringify(meta));
    };
    const noReason = await versionOf(first.id, { keepFileIds: [keep.id] }, []);
    expect([noReason.status, noReason.body.errors[0].field]).toEqual([400, 'metadata.reason']);
    const second = await versionOf(first.id, { reason: 'b.raw had the wrong dead time', keepFileIds: [keep.id], title: 'XRR (corrected)' }, [['b.raw', Buffer.from('bbb-corrected')]]);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ version: 2, previousId: first.id, seriesId: first.id, correctionReason: 'b.raw had the wrong dead time', title: 'XRR (corrected)', sampleIds: [sampleA.id] });
    expect(second.body.files.find((f: { name: string }) => f.name === 'a.raw').sha256).toBe(keep.sha256);
    expect(second.body.files.find((f: { name: string }) => f.name === 'b.raw').sha256).toBe(sha256('bbb-corrected'));
    const untouched = await t.http().get(`/api/v1/datasets/${first.id}`).set(bearer(world.tokens.memberA)).expect(200);
    expect(untouched.body.files.find((f: { name: string }) => f.name === 'b.raw').sha256).toBe(sha256('bbb'));
    const fork = await versionOf(first.id, { reason: 'again from v1', keepFileIds: [keep.id] }, []);
    expect(fork.status).toBe(409);
  });

  it("does not pass a reviewer's export-control classification on to new files of a correction", async () => {
    const first = (await upload(world.tokens.memberA, metadata({ exportControl: 'undetermined' }), [['a.raw', Buffer.from('aaa')]]).expect(201)).body;
    await t.http().post(`/api/v1/datasets/${first.id}/export-control`).set(bearer(world.tokens.staff)).send({ classification: 'not-applicable', reason: 'Reviewed against the list' }).expect(200);
    const versionOf = (id: string, meta: unknown, files: [string, Buffer][]) => {
      let req = t.http().post(`/api/v1/datasets/${id}/versions`).set(bearer(world.tokens.memberA));
      for (const [name, data] of files) req = req.attach('files', data, name);
      return req.field('metadata', JSON.stringify(meta));
    };
    // Kept files are the version's own rows: name the ones of the version being corrected.
    const fileOf = (version: { files: { id: string; name: string }[] }, name = 'a.raw') => version.files.find((f) => f.name === name)!.id;

    // Same files, other title: the staff review still covers them.
    const retitled = (await versionOf(first.id, { reason: 'typo in the title', keepFileIds: [fileOf(first)], title: 'XRR (title fixed)' }, []).expect(201)).body;
    expect(retitled).toMatchObject({ exportControl: 'not-applicable', exportControlBy: world.users.staff.id, exportControlReason: 'Reviewed against the list' });
    const restated = await versionOf(retitled.id, { reason: 'again', keepFileIds: [fileOf(retitled)], exportControl: 'not-applicable' }, []);
    expect([restated.status, restated.body.errors?.[0]?.field]).toEqual([400, 'metadata.exportControl']);

    // New files: undetermined unless the request states a classification, recorded as the uploader's.
    const withNewFile = (await versionOf(retitled.id, { reason: 'added the fit', keepFileIds: [fileOf(retitled)] }, [['fit.csv', Buffer.from('1,2')]]).expect(201)).body;
    expect(withNewFile).toMatchObject({ exportControl: 'undetermined', exportControlBy: world.users.memberA.id, exportControlReason: null });
    expect(new Date(withNewFile.exportControlAt).getTime()).toBeGreaterThan(new Date(retitled.exportControlAt).getTime());
    const stated = (await versionOf(withNewFile.id, { reason: 'refit', keepFileIds: [fileOf(withNewFile)], exportControl: 'not-applicable' }, [['fit.csv', Buffer.from('1,3')]]).expect(201)).body;
    expect(stated).toMatchObject({ exportControl: 'not-applicable', exportControlBy: world.users.memberA.id });
  });

  it('packages a version as RO-Crate 1.2 laid out for RDE, with a manifest, byte-identical every time', async () => {
    const tool = world.tools[0];
    const sample = (await t.http().post('/api/v1/samples').set(bearer(world.tokens.memberA)).send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: '窒化ガリウム W9', material: 'GaN', form: 'wafer' }).expect(201)).body;
    await t.http().post(`/api/v1/samples/${sample.id}/receive`).set(bearer(world.tokens.staff)).send({ condition: 'intact' }).expect(200);
    await t.http().post(`/api/v1/samples/${sample.id}/store`).set(bearer(world.tokens.staff)).send({ locationId: (await t.http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send({ centerId: world.centers.kns.id, name: `Rack ${Date.now()}`, kind: 'shelf' })).body.id }).expect(200);
    await t.http().post(`/api/v1/samples/${sample.id}/check-out`).set(bearer(world.tokens.staff)).send({ equipmentId: tool.id }).expect(200);
    await t.http().post(`/api/v1/samples/${sample.id}/process-step`).set(bearer(world.tokens.staff)).send({ equipmentId: tool.id, recipe: 'ALD-Al2O3', recipeVersion: '3', startedAt: new Date().toISOString(), endedAt: new Date(Date.now() + 60_000).toISOString(), outcome: 'success' }).expect(200);
    await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ rdeInstrumentId: 'NIMS-XRD-0042' }).expect(200);
    const raw = Buffer.from('2theta,counts\n0.1,120\n');
    const created = (await upload(world.tokens.memberA, metadata({ sampleIds: [sample.id], measuredAt: new Date().toISOString(), parameters: { wavelengthNm: 0.154, slits: { divergenceDeg: 0.5 } } }), [['scan.csv', raw]]).expect(201)).body;

    const get = async (token = world.tokens.memberA) => t.http().get(`/api/v1/datasets/${created.id}/package`).set(bearer(token)).buffer(true).parse(binary);
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/zip');
    const second = await get(world.tokens.staff);
    expect(sha256(second.body as Buffer)).toBe(sha256(first.body as Buffer));

    const entries = await readZip(first.body as Buffer);
    expect(entries.map((e) => e.path)).toEqual(['invoice/invoice.json', 'manifest-sha256.txt', 'meta/metadata.json', 'raw/scan.csv', 'ro-crate-metadata.json', 'tasksupport/metadata-def.json']);
    const byPath = new Map(entries.map((e) => [e.path, e.data]));
    expect(byPath.get('raw/scan.csv')).toEqual(raw);
    const manifestLines = byPath.get('manifest-sha256.txt')!.toString().trim().split('\n');
    expect(manifestLines).toHaveLength(5);
    for (const line of manifestLines) {
      const [hash, path] = line.split('  ');
      expect(sha256(byPath.get(path)!)).toBe(hash);
    }

    const crate = JSON.parse(byPath.get('ro-crate-metadata.json')!.toString());
    expect(crate['@context']).toBe('https://w3id.org/ro/crate/1.2/context');
    const entity = (id: string) => crate['@graph'].find((e: { '@id': string }) => e['@id'] === id);
    expect(entity('./')).toMatchObject({ '@type': 'Dataset', name: 'XRR of Al2O3 on GaN', license: { '@id': 'https://creativecommons.org/licenses/by/4.0/' }, identifier: `urn:uuid:${created.id}` });
    expect(entity('raw/scan.csv')).toMatchObject({ '@type': 'File', contentSize: String(raw.length), sha256: sha256(raw), encodingFormat: 'text/csv' });
    expect(entity(`#equipment-${tool.id}`)).toMatchObject({ '@type': 'IndividualProduct' });
    const action = crate['@graph'].find((e: { '@type': string }) => e['@type'] === 'CreateAction');
    expect(action).toMatchObject({ name: 'ALD-Al2O3 v3', instrument: { '@id': `#equipment-${tool.id}` }, object: [{ '@id': `#sample-${sample.id}` }], agent: { '@id': `#person-${world.users.staff.id}` } });
    expect(entity('#prop-export-control')).toMatchObject({ '@type': 'PropertyValue', value: 'not-applicable' });

    const invoice = JSON.parse(byPath.get('invoice/invoice.json')!.toString());
    expect(invoice.basic).toMatchObject({ dataName: 'XRR of Al2O3 on GaN', instrumentId: 'NIMS-XRD-0042' });
    expect(invoice.sample).toMatchObject({ sampleId: null, names: [sample.code] });
    const meta = JSON.parse(byPath.get('meta/metadata.json')!.toString());
    expect(meta.constant['parameters.slits.divergenceDeg']).toEqual({ value: 0.5 });
    const definitions = JSON.parse(byPath.get('tasksupport/metadata-def.json')!.toString());
    expect(Object.keys(definitions).sort()).toEqual(Object.keys(meta.constant).sort());

    expect((await get(world.tokens.memberB)).status).toBe(404);
  });

  it('adds a MaiML document valid against the official XSDs for a tool that asks for one', async () => {
    const tool = world.tools[1];
    await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ maimlOutput: true }).expect(200);
    const created = (await upload(world.tokens.memberA, metadata({ equipmentId: tool.id, parameters: { wavelengthNm: 0.154 } }), [['scan.csv', Buffer.from('1,2\n')]]).expect(201)).body;
    const res = await t.http().get(`/api/v1/datasets/${created.id}/package`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    const entries = await readZip(res.body as Buffer);
    const maiml = entries.find((e) => /^maiml\/[0-9a-f-]{36}\.maiml$/.test(e.path));
    expect(maiml).toBeDefined();
    const manifestText = entries.find((e) => e.path === 'manifest-sha256.txt')!.data.toString();
    expect(manifestText).toContain(`${sha256(maiml!.data)}  ${maiml!.path}`);
    const crate = JSON.parse(entries.find((e) => e.path === 'ro-crate-metadata.json')!.data.toString());
    expect(crate['@graph'].find((e: { '@id': string }) => e['@id'] === maiml!.path)).toMatchObject({ '@type': 'File', sha256: sha256(maiml!.data) });
    const file = join(mkdtempSync(join(tmpdir(), 'maiml-')), 'package.maiml');
    writeFileSync(file, maiml!.data);
    const schema = join(__dirname, '..', 'vendor', 'maiml-1.0', 'maiml.xsd');
    expect(() => execFileSync('xmllint', ['--noout', '--nonet', '--schema', schema, file], { stdio: 'pipe' })).not.toThrow();
    expect(maiml!.data.toString()).toContain(Buffer.from(sha256(Buffer.from('1,2\n')), 'hex').toString('base64'));
  });

  it('packages what the upload accepted: a null parameter and a long Japanese description', async () => {
    const description = '膜厚と密度の評価。'.repeat(45); // 405 characters, 1,215 bytes
    const created = (await upload(world.tokens.memberA, metadata({ description, parameters: { wavelengthNm: 0.154, note: null } })).expect(201)).body;
    const res = await t.http().get(`/api/v1/datasets/${created.id}/package`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    const entries = await readZip(res.body as Buffer);
    const json = (path: string) => JSON.parse(entries.find((e) => e.path === path)!.data.toString());
    expect(json('meta/metadata.json').constant).not.toHaveProperty(['parameters.note']);
    expect(Buffer.byteLength(json('invoice/invoice.json').basic.description, 'utf8')).toBeLessThanOrEqual(1024);
    expect(json('ro-crate-metadata.json')['@graph'].find((e: { '@id': string }) => e['@id'] === './').description).toBe(description);
  });

  it('puts the files of closed data under nonshared_raw/', async () => {
    const created = (await upload(world.tokens.memberA, metadata({ accessClass: 'closed' }), [['secret.raw', Buffer.from('x')]]).expect(201)).body;
    expect(created).toMatchObject({ embargoUntil: null, license: null, cabinetOfficeClass: '非共有・非公開' });
    const res = await t.http().get(`/api/v1/datasets/${created.id}/package`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    const paths = (await readZip(res.body as Buffer)).map((e) => e.path);
    expect(paths).toContain('nonshared_raw/secret.raw');
    expect(paths.filter((p) => p.startsWith('raw/'))).toEqual([]);
  });

  it('fails the package download of a version whose stored file is missing or short, and keeps answering', async () => {
    const storedFile = async (datasetId: string) => {
      const [{ storage_key: key }] = await t.dataSource.query('SELECT storage_key FROM dataset_files WHERE dataset_id = $1', [datasetId]);
      return join(t.config.dataDir, 'datasets', 'objects', key as string);
    };
    // A zip that breaks off is an error on the client; a reply that arrives must not be a 200.
    const fetchPackage = (id: string) =>
      t
        .http()
        .get(`/api/v1/datasets/${id}/package`)
        .set(bearer(world.tokens.memberA))
        .responseType('blob')
        .then(
          (res) => res.status,
          (error: Error & { status?: number }) => error.status ?? 'broken',
        );

    const missing = (await upload(world.tokens.memberA, metadata(), [['gone.raw', Buffer.alloc(20_000, 1)]]).expect(201)).body;
    unlinkSync(await storedFile(missing.id));
    expect(await fetchPackage(missing.id)).not.toBe(200);

    const short = (await upload(world.tokens.memberA, metadata(), [['short.raw', Buffer.alloc(20_000, 2)]]).expect(201)).body;
    truncateSync(await storedFile(short.id), 1000);
    expect(await fetchPackage(short.id)).not.toBe(200);

    await t.http().get(`/api/v1/datasets/${missing.id}`).set(bearer(world.tokens.memberA)).expect(200);
    const healthy = (await upload(world.tokens.memberA, metadata(), [['fine.raw', Buffer.from('ok')]]).expect(201)).body;
    await t.http().get(`/api/v1/datasets/${healthy.id}/package`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
  });

  it('extends the embargo once by a year with a reason; staff record export control with who and when', async () => {
    const created = (await upload(world.tokens.memberA, metadata({ accessClass: 'shared', exportControl: 'undetermined' })).expect(201)).body;
    expect(created).toMatchObject({ embargoUntil: '2029-04-01', cabinetOfficeClass: '共有', license: null });
    const noReason = await t.http().post(`/api/v1/datasets/${created.id}/embargo-extension`).set(bearer(world.tokens.memberA)).send({});
    expect(noReason.status).toBe(400);
    const extended = await t.http().post(`/api/v1/datasets/${created.id}/embargo-extension`).set(bearer(world.tokens.memberA)).send({ reason: 'Patent filing pending' }).expect(200);
    expect(extended.body).toMatchObject({ embargoUntil: '2030-04-01', embargoExtensionReason: 'Patent filing pending' });
    const again = await t.http().post(`/api/v1/datasets/${created.id}/embargo-extension`).set(bearer(world.tokens.memberA)).send({ reason: 'more time' });
    expect(again.status).toBe(409);

    expect((await t.http().post(`/api/v1/datasets/${created.id}/export-control`).set(bearer(world.tokens.memberA)).send({ classification: 'not-applicable', reason: 'x' })).status).toBe(403);
    const classified = await t.http().post(`/api/v1/datasets/${created.id}/export-control`).set(bearer(world.tokens.staff)).send({ classification: 'not-applicable', reason: 'Reviewed against the list' }).expect(200);
    expect(classified.body).toMatchObject({ exportControl: 'not-applicable', exportControlBy: world.users.staff.id, exportControlReason: 'Reviewed against the list' });
    const audit = await t.http().get(`/api/v1/audit?entity=dataset&id=${created.id}`).set(bearer(world.tokens.admin)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['export_control_classified', 'embargo_extended', 'create']);
  });
});
