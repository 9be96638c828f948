import { parseLabelId } from '../src/labels/label-id';
import { bearer, seedWorld, World } from './support/fixtures';
import { binary } from './support/binary';
import { createTestApp, TestApp } from './support/test-app';

/** Changes the check character (the last one) to another valid symbol: a typo. */
function withWrongCheck(id: string): string {
  const last = id[id.length - 1];
  return id.slice(0, -1) + (last === '0' ? '1' : '0');
}

describe('labels and scanning', () => {
  let t: TestApp;
  let world: World;
  let shelf: { id: string; labelId: string };
  let position: { id: string; labelId: string };

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    const kns = world.centers.kns.id;
    const room = (await http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send({ centerId: kns, name: '冷蔵庫 R1', kind: 'room' }).expect(201)).body;
    shelf = (await http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send({ centerId: kns, parentId: room.id, name: 'Shelf 1', kind: 'shelf' }).expect(201)).body;
    position = (await http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send({ centerId: kns, parentId: shelf.id, name: 'P1', kind: 'position' }).expect(201)).body;
  });
  afterAll(() => t.close());

  const http = () => t.http();
  const scan = (token: string, body: Record<string, unknown>) => http().post('/api/v1/scan').set(bearer(token)).send(body);
  const register = async (token = world.tokens.memberA, extra: Record<string, unknown> = {}) =>
    (
      await http()
        .post('/api/v1/samples')
        .set(bearer(token))
        .send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: 'SiC coupon', form: 'coupon', ...extra })
        .expect(201)
    ).body;

  it('identifies a sample from its ID or its whole URL, in any case, and records scans with the label', async () => {
    const sample = await register();
    const url = `http://hub.test/s/${sample.labelId.toLowerCase()}`;
    const byUrl = await scan(world.tokens.staff, { label: url, action: 'identify' });
    expect(byUrl.status).toBe(200);
    expect(byUrl.body).toMatchObject({ kind: 'sample', label: sample.labelId, sample: { id: sample.id, allowedActions: ['receive', 'reject', 'cancel'] } });

    const received = await scan(world.tokens.staff, { label: sample.labelId, action: 'receive', locationLabel: shelf.labelId, payload: { condition: 'intact' } });
    expect(received.body.sample).toMatchObject({ state: 'available', locationId: shelf.id });
    const events = (await http().get(`/api/v1/samples/${sample.id}/events`).set(bearer(world.tokens.staff))).body.items;
    expect(events.slice(1)).toMatchObject([
      { type: 'received', source: 'scan', scannedLabel: sample.labelId },
      { type: 'location_changed', source: 'scan', scannedLabel: sample.labelId, locationId: shelf.id },
    ]);
  });

  it('stores a sample by scanning a position then the sample, and refuses a full position', async () => {
    const [a, b] = [await register(), await register()];
    for (const s of [a, b]) await scan(world.tokens.staff, { label: s.labelId, action: 'receive', payload: { condition: 'intact' } }).expect(200);
    const stored = await scan(world.tokens.staff, { label: a.labelId, action: 'store', locationLabel: position.labelId });
    expect(stored.body.sample.locationId).toBe(position.id);
    const full = await scan(world.tokens.staff, { label: b.labelId, action: 'store', locationLabel: position.labelId });
    expect(full.status).toBe(409);
    expect(full.body.errors[0].field).toBe('locationId');
    const missing = await scan(world.tokens.staff, { label: b.labelId, action: 'store' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'locationLabel', message: 'scan the location to store the sample in' }]);

    const located = await scan(world.tokens.staff, { label: position.labelId, action: 'identify' });
    expect(located.body).toMatchObject({ kind: 'location', location: { id: position.id, occupancy: 1, capacity: 1 } });
    expect((await scan(world.tokens.staff, { label: position.labelId, action: 'store' })).status).toBe(422);
  });

  it('catches a typo by the check character, answers 404 for unknown and for other organizations, 410 for void labels', async () => {
    const sample = await register();
    const typo = await scan(world.tokens.staff, { label: withWrongCheck(sample.labelId), action: 'identify' });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([{ field: 'label', message: 'the check character does not match: a typo?' }]);
    expect((await scan(world.tokens.staff, { label: 'NOT-A-LABEL!', action: 'identify' })).status).toBe(400);

    const batch = await http().post('/api/v1/labels/batch').set(bearer(world.tokens.staff)).send({ centerId: world.centers.kns.id, count: 1 }).expect(201);
    const [spare] = batch.body.items;
    await http().post(`/api/v1/labels/${spare.id}/void`).set(bearer(world.tokens.staff)).send({ reason: 'misprinted' }).expect(200);
    const voided = await scan(world.tokens.staff, { label: spare.id, action: 'identify' });
    expect(voided.status).toBe(410);

    // Another organization's sample answers exactly like a label that does not exist.
    const foreign = await scan(world.tokens.memberB, { label: sample.labelId, action: 'identify' });
    let unknownId = sample.labelId;
    do unknownId = (await import('../src/labels/label-id')).generateLabelId();
    while (unknownId === sample.labelId);
    const unknown = await scan(world.tokens.memberB, { label: unknownId, action: 'identify' });
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.errors).toEqual(unknown.body.errors);
    expect(foreign.body.detail).toBe(`No label ${sample.labelId}`);
    expect(unknown.body.detail).toBe(`No label ${unknownId}`);
  });

  it('binds pre-printed labels at registration or by scanning, and replaces a damaged one', async () => {
    const batch = await http().post('/api/v1/labels/batch').set(bearer(world.tokens.staff)).send({ centerId: world.centers.kns.id, count: 3 }).expect(201);
    const [first, second] = batch.body.items;
    expect(first).toMatchObject({ status: 'unassigned', url: `HTTP://HUB.TEST/S/${first.id}` });
    expect(parseLabelId(first.id)).toEqual({ ok: true, id: first.id });

    const prebound = await register(world.tokens.staff, { labelId: first.id });
    expect(prebound.labelId).toBe(first.id);
    const reuse = await http()
      .post('/api/v1/samples')
      .set(bearer(world.tokens.staff))
      .send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: 'x', form: 'other', labelId: first.id });
    expect(reuse.status).toBe(409);
    expect(reuse.body.errors[0].field).toBe('labelId');

    const noReason = await http().post(`/api/v1/samples/${prebound.id}/relabel`).set(bearer(world.tokens.staff)).send({});
    expect(noReason.status).toBe(400);
    const relabelled = await http().post(`/api/v1/samples/${prebound.id}/relabel`).set(bearer(world.tokens.staff)).send({ reason: 'label peeled off in the oven' }).expect(200);
    expect(relabelled.body.labelId).not.toBe(first.id);
    expect(relabelled.body.code).toBe(prebound.code);
    expect((await scan(world.tokens.staff, { label: first.id, action: 'identify' })).status).toBe(410);

    // Scanning a label off the roll binds it once the sample's own label is voided.
    await http().post(`/api/v1/labels/${relabelled.body.labelId}/void`).set(bearer(world.tokens.staff)).send({ reason: 'torn' }).expect(200);
    const assigned = await scan(world.tokens.staff, { label: second.id, action: 'assign', payload: { sampleId: prebound.id } });
    expect(assigned.status).toBe(200);
    expect(assigned.body.sample.labelId).toBe(second.id);
    const again = await scan(world.tokens.staff, { label: second.id, action: 'assign', payload: { sampleId: prebound.id } });
    expect(again.status).toBe(409);
    const events = (await http().get(`/api/v1/samples/${prebound.id}/events`).set(bearer(world.tokens.staff))).body.items;
    expect(events[1]).toMatchObject({ type: 'label_printed', reason: 'label peeled off in the oven', payload: { replaces: first.id } });
  });

  it('validates a scan payload like the action endpoint, naming payload fields', async () => {
    const sample = await register(world.tokens.memberA, { hazards: ['GHS06'] });
    await scan(world.tokens.staff, { label: sample.labelId, action: 'receive', payload: { condition: 'intact' } }).expect(200);
    const res = await scan(world.tokens.staff, { label: sample.labelId, action: 'dispose', payload: { reasonCode: 'evaporated', colour: 'red' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['payload.colour', 'payload.reasonCode']);
    const member = await scan(world.tokens.memberA, { label: sample.labelId, action: 'hold', payload: { reason: 'x' } });
    expect(member.status).toBe(403);
  });

  it('prints labels: QR as SVG, a PDF per medium, a sheet for many, ZPL, and location labels', async () => {
    const sample = await register(world.tokens.memberA, { name: '窒化ガリウム ウエハ', hazards: ['GHS02', 'GHS07'] });
    const svg = await http().get(`/api/v1/samples/${sample.id}/qr.svg`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect((svg.body as Buffer).toString()).toContain('<svg');
    for (const media of ['brother-62x29', 'brother-62', 'zebra-50x25', 'a4-sheet']) {
      const pdf = await http().get(`/api/v1/samples/${sample.id}/label.pdf?media=${media}`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    }
    const badMedia = await http().get(`/api/v1/samples/${sample.id}/label.pdf?media=dymo`).set(bearer(world.tokens.memberA));
    expect(badMedia.status).toBe(400);
    expect(badMedia.body.errors[0].field).toBe('media');

    const other = await register();
    const sheet = await http().get(`/api/v1/samples/labels.pdf?ids=${sample.id},${other.id}`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    expect((sheet.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const foreign = await http().get(`/api/v1/samples/labels.pdf?ids=${sample.id}`).set(bearer(world.tokens.memberB));
    expect(foreign.status).toBe(400);
    // The sample's own label is addressed by its URL: another organization's is a 404, as for any sample.
    expect((await http().get(`/api/v1/samples/${sample.id}/label.pdf`).set(bearer(world.tokens.memberB))).status).toBe(404);

    const zpl = await http().get(`/api/v1/samples/${sample.id}/label.zpl?dpi=300`).set(bearer(world.tokens.staff)).expect(200);
    expect(zpl.text).toContain('^BQN');
    expect(zpl.text).toContain(`HTTP://HUB.TEST/S/${sample.labelId}`);

    const locationPdf = await http().get(`/api/v1/locations/${shelf.id}/label.pdf`).set(bearer(world.tokens.staff)).buffer(true).parse(binary).expect(200);
    expect((locationPdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses to print a sample whose label is void with a 422 problem, before any PDF is sent', async () => {
    const sample = await register();
    await http().post(`/api/v1/labels/${sample.labelId}/void`).set(bearer(world.tokens.staff)).send({ reason: 'torn' }).expect(200);
    const single = await http().get(`/api/v1/samples/${sample.id}/label.pdf`).set(bearer(world.tokens.memberA));
    expect(single.status).toBe(422);
    expect(single.headers['content-type']).toContain('application/problem+json');
    expect(single.body).toMatchObject({ status: 422, detail: `${sample.code} has no active label; assign one first`, errors: [{ field: 'labelId', message: 'none is active' }] });
    const other = await register();
    const sheet = await http().get(`/api/v1/samples/labels.pdf?ids=${other.id},${sample.id}`).set(bearer(world.tokens.memberA));
    expect(sheet.status).toBe(422);
  });

  it('answers a scan with the sample and its label, and resolves a location label scanned with it', async () => {
    const sample = await register();
    const received = await scan(world.tokens.staff, { label: sample.labelId, action: 'receive', locationLabel: shelf.labelId.toLowerCase(), payload: { condition: 'intact' } });
    expect(received.status).toBe(200);
    expect(received.body.sample).toMatchObject({ labelId: sample.labelId, locationId: shelf.id });
    expect(received.body.sample).not.toHaveProperty('lastEventHash');
    const typo = await scan(world.tokens.staff, { label: sample.labelId, action: 'check-in', locationLabel: withWrongCheck(position.labelId) });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([{ field: 'locationLabel', message: 'the check character does not match: a typo?' }]);
    // A location label is only read for actions that use one.
    expect((await scan(world.tokens.staff, { label: sample.labelId, action: 'identify', locationLabel: withWrongCheck(position.labelId) })).status).toBe(200);
  });
});
