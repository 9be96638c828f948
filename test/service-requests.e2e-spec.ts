import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { JobName, QueueName, ReservationEventType } from '../src/infra/queue/queue-name';
import { labelUrl } from '../src/labels/label-id';
import { crop, openPdfs, readRgba } from '../src/labels/testing/pdf-raster';
import { OutboxService } from '../src/outbox/outbox.service';
import { extractText } from '../src/samples/testing/pdf-text';
import { binary } from './support/binary';
import { eventually } from './support/eventually';
import { bearer, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** A date `days` from today in Tokyo (the centers' zone), as YYYY-MM-DD. */
const tokyoDate = (days: number) => new Date(Date.now() + 9 * HOUR + days * 24 * HOUR).toISOString().slice(0, 10);

describe('analysis service requests', () => {
  let t: TestApp;
  let world: World;
  let sem: { id: string };

  beforeAll(async () => {
    t = await createTestApp({ worker: true });
    world = await seedWorld(t);
    await t.http().patch(`/api/v1/centers/${world.centers.kns.id}`).set(bearer(world.tokens.admin)).send({ contactEmail: 'lab@kns.test' }).expect(200);
    sem = (
      await t
        .http()
        .post('/api/v1/services')
        .set(bearer(world.tokens.staff))
        .send({
          centerId: world.centers.kns.id,
          code: 'SEM-IMG',
          nameJa: 'SEM 観察',
          nameEn: 'SEM imaging',
          technique: 'SEM',
          equipmentIds: [world.tools[0].id],
          unit: 'sample',
          prices: { academic: 8000, industry: 20000, venture: 12000 },
          turnaroundDays: 10,
          sampleRequirements: [{ key: 'size', description: 'At most 20 mm × 20 mm × 5 mm; conductive or coated' }],
        })
        .expect(201)
    ).body;
  });
  afterAll(() => t.close());

  const http = () => t.http();
  const act = (token: string, id: string, action: string, body: object = {}) => http().post(`/api/v1/service-requests/${id}/${action}`).set(bearer(token)).send(body);
  const fileRequest = async (token = world.tokens.memberA, extra: object = {}) =>
    (
      await http()
        .post('/api/v1/service-requests')
        .set(bearer(token))
        .send({
          centerId: world.centers.kns.id,
          projectId: world.projects.a.id,
          items: [{ serviceId: sem.id, quantity: 3 }],
          sampleCount: 3,
          sampleDescription: '10 × 10 mm GaN-on-Si coupons with Ni/Au contacts',
          deadline: tokyoDate(20),
          notes: 'Confidential: do not show to other clients',
          hazardDeclaration: 'No hazardous substances',
          ...extra,
        })
        .expect(201)
    ).body;
  const quoteIt = (id: string, extra: object = {}) => act(world.tokens.staff, id, 'quote', { taxRate: 10, validUntil: tokyoDate(30), ...extra });
  const registerReceived = async (count: number, token = world.tokens.memberA, projectId = world.projects.a.id) => {
    const samples = [];
    for (let i = 0; i < count; i++) {
      const sample = (await http().post('/api/v1/samples').set(bearer(token)).send({ centerId: world.centers.kns.id, projectId, name: `Coupon ${i + 1}`, form: 'coupon' }).expect(201)).body;
      await http().post(`/api/v1/samples/${sample.id}/receive`).set(bearer(world.tokens.staff)).send({ condition: 'intact' }).expect(200);
      samples.push(sample);
    }
    return samples;
  };
  const uploadDataset = async (requestId: string, sampleIds: string[], title = 'SEM images of coupon 1') =>
    (
      await http()
        .post('/api/v1/datasets')
        .set(bearer(world.tokens.staff))
        .attach('files', Buffer.from(`tiff bytes of ${title}`), 'image-001.tif')
        .field(
          'metadata',
          JSON.stringify({
            title,
            technique: 'SEM',
            sampleIds,
            equipmentId: world.tools[0].id,
            serviceRequestId: requestId,
            parameters: { beam: { acceleratingVoltageKv: 5, probeCurrentPa: 50 }, detector: 'SE' },
            measuredAt: new Date(Date.now() - HOUR).toISOString(),
            accessClass: 'closed',
            exportControl: 'not-applicable',
          }),
        )
        .expect(201)
    ).body;
  const pdf = async (path: string, token = world.tokens.memberA) => {
    const res = await http().get(path).set(bearer(token)).buffer(true).parse(binary);
    return res;
  };
  /** Emits a reservation event through the outbox, as the reservations module does, and waits until the worker has handled it. */
  const emit = async (event: ReservationEventType, reservationId: string) => {
    const message = await t.dataSource.transaction((em) => t.app.get(OutboxService).add(em, JobName.ReservationEvent, { event, reservationId }));
    const queue = t.app.get<Queue>(getQueueToken(QueueName.ReservationEvents));
    await eventually(async () => (await queue.getJob(message.id))?.isCompleted());
  };
  /** Closes a booking as the check-out would leave it: completed, its whole period used; then the worker derives its charges. */
  const complete = async (reservation: { id: string; equipmentId: string; start: string; end: string }) => {
    await t.dataSource.query(`UPDATE reservations SET status = 'completed' WHERE id = $1`, [reservation.id]);
    await t.dataSource.query(`INSERT INTO reservation_usages (reservation_id, equipment_id, started_at, ended_at) VALUES ($1, $2, $3, $4)`, [
      reservation.id,
      reservation.equipmentId,
      reservation.start,
      reservation.end,
    ]);
    await emit('reservation.completed', reservation.id);
  };

  it('walks a request from submission to a signed, amended report, with the right party at each step', async () => {
    const request = await fileRequest();
    expect(request).toMatchObject({ status: 'submitted', sampleCount: 3, organizationId: world.orgs.a.id, allowedActions: ['cancel'] });
    expect(request.code).toMatch(/^KNS-SR-\d{2}-\d{4}$/);
    expect(request.items).toEqual([expect.objectContaining({ serviceId: sem.id, quantity: 3, code: 'SEM-IMG' })]);

    // Another organization never sees it, not even as a 403.
    expect((await http().get(`/api/v1/service-requests/${request.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
    const listB = await http().get('/api/v1/service-requests').set(bearer(world.tokens.memberB)).expect(200);
    expect(listB.body.items.map((r: { id: string }) => r.id)).not.toContain(request.id);
    expect((await act(world.tokens.memberA, request.id, 'quote', { taxRate: 10, validUntil: tokyoDate(30) })).status).toBe(403);

    // Staff quote: the catalogue line at the project's rate (industry ¥20,000 × 3), extra preparation, a discount.
    const quoted = await quoteIt(request.id, {
      lines: [
        { description: 'Cross-section preparation', quantity: 1, unitPrice: 5000 },
        { description: 'Returning-client discount', quantity: 1, unitPrice: 2000, discount: true },
      ],
      notes: 'Turnaround 10 working days from receipt',
    });
    expect(quoted.status).toBe(200);
    expect(quoted.body.quote).toMatchObject({ number: `${request.code}-Q1`, rateCategory: 'industry', taxRate: 10, subtotal: 63000, tax: 6300, total: 69300 });
    expect(quoted.body.quote.lines.map((l: { amount: number }) => l.amount)).toEqual([60000, 5000, -2000]);

    const quoteJa = await pdf(`/api/v1/service-requests/${request.id}/quote.pdf`);
    const quoteEn = await pdf(`/api/v1/service-requests/${request.id}/quote.pdf?lang=en`);
    expect(quoteJa.status).toBe(200);
    expect(quoteJa.headers['content-type']).toBe('application/pdf');
    const [ja, en] = await extractText([quoteJa.body, quoteEn.body]);
    const jaText = ja.pages.join('\n');
    const enText = en.pages.join('\n');
    for (const text of [jaText, enText]) {
      expect(text).toContain(`${request.code}-Q1`);
      expect(text).toContain('69,300');
      expect(text).toContain('Cross-section preparation');
    }
    expect(jaText).toContain('見積');
    expect(jaText).toContain('SEM 観察');
    expect(enText).toMatch(/Quot/);
    // The same quote renders to the same bytes.
    expect(sha256((await pdf(`/api/v1/service-requests/${request.id}/quote.pdf`)).body)).toBe(sha256(quoteJa.body));
    expect((await pdf(`/api/v1/service-requests/${request.id}/quote.pdf`, world.tokens.memberB)).status).toBe(404);

    // Only the requesting organization accepts: another's is a 404, staff a 403.
    expect((await act(world.tokens.memberB, request.id, 'accept')).status).toBe(404);
    expect((await act(world.tokens.staff, request.id, 'accept')).status).toBe(403);
    const accepted = await act(world.tokens.memberA, request.id, 'accept', { poNumber: 'PO-2026-0042', revision: 1 });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', poNumber: 'PO-2026-0042', acceptedBy: world.users.memberA.id });
    expect(accepted.body.acceptedAt).toBeTruthy();

    // Receiving checks the declared count, the owner and that the center really has the samples.
    const samples = await registerReceived(3);
    const [foreign] = await registerReceived(1, world.tokens.memberB, world.projects.b.id);
    const expected = (await http().post('/api/v1/samples').set(bearer(world.tokens.memberA)).send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: 'Not yet here', form: 'coupon' }).expect(201)).body;
    const short = await act(world.tokens.staff, request.id, 'receive', { sampleIds: samples.slice(0, 2).map((s) => s.id) });
    expect(short.status).toBe(422);
    expect(short.body.errors).toEqual([{ field: 'sampleIds', message: '2 linked, 3 declared' }]);
    const other = await act(world.tokens.staff, request.id, 'receive', { sampleIds: [foreign.id, samples[1].id, samples[2].id] });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([{ field: 'sampleIds[0]', message: 'belongs to another organization than the request' }]);
    const notHere = await act(world.tokens.staff, request.id, 'receive', { sampleIds: [samples[0].id, samples[1].id, expected.id] });
    expect(notHere.status).toBe(400);
    expect(notHere.body.errors[0].field).toBe('sampleIds[2]');
    expect((await http().get(`/api/v1/service-requests/${request.id}`).set(bearer(world.tokens.memberA))).body).toMatchObject({ status: 'accepted', sampleIds: [] });
    const received = await act(world.tokens.staff, request.id, 'receive', { sampleIds: samples.map((s) => s.id) });
    expect(received.status).toBe(200);
    expect(received.body.status).toBe('samples_received');
    expect(received.body.sampleIds.sort()).toEqual(samples.map((s) => s.id).sort());

    // The client can no longer cancel; samples of an open request are not shipped away.
    const lateCancel = await act(world.tokens.memberA, request.id, 'cancel', { reason: 'Changed our mind' });
    expect(lateCancel.status).toBe(422);
    expect(lateCancel.body.detail).toContain('ask it to cancel');
    const ship = await http().post(`/api/v1/samples/${samples[0].id}/ship`).set(bearer(world.tokens.staff)).send({ carrier: 'Yamato', destination: 'Client' });
    expect(ship.status).toBe(422);
    expect(ship.body.detail).toContain(request.code);

    expect((await act(world.tokens.staff, request.id, 'results', { datasetIds: [] })).status).toBe(400);
    const early = await act(world.tokens.staff, request.id, 'deliver', { password: PASSWORD });
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ currentStatus: 'samples_received', allowedActions: expect.arrayContaining(['start']) });
    expect((await act(world.tokens.staff, request.id, 'start')).body.status).toBe('in_progress');

    // Work is recorded as assisted reservations of the request (charged through the request).
    // 10:00 Tokyo time on the next weekday (the demo tools open on weekdays only).
    let day = 1;
    while ([0, 6].includes(new Date(`${tokyoDate(day)}T12:00:00+09:00`).getUTCDay())) day++;
    const start = new Date(`${tokyoDate(day)}T10:00:00+09:00`);
    const session = await http()
      .post('/api/v1/reservations')
      .set(bearer(world.tokens.staff))
      .send({ equipmentId: world.tools[0].id, projectId: world.projects.a.id, start: start.toISOString(), end: new Date(start.getTime() + HOUR).toISOString(), mode: 'assisted', serviceRequestId: request.id, purpose: 'SEM for the request' });
    expect(session.status).toBe(201);
    expect(session.body.serviceRequestId).toBe(request.id);
    const selfMode = await http()
      .post('/api/v1/reservations')
      .set(bearer(world.tokens.staff))
      .send({ equipmentId: world.tools[0].id, projectId: world.projects.a.id, start: new Date(start.getTime() + 2 * HOUR).toISOString(), end: new Date(start.getTime() + 3 * HOUR).toISOString(), serviceRequestId: request.id });
    expect(selfMode.status).toBe(400);
    expect(selfMode.body.errors).toEqual([{ field: 'mode', message: "must be 'assisted' for work on a service request" }]);
    const wrongProject = await http()
      .post('/api/v1/reservations')
      .set(bearer(world.tokens.staff))
      .send({ equipmentId: world.tools[0].id, projectId: world.projects.b.id, start: new Date(start.getTime() + 2 * HOUR).toISOString(), end: new Date(start.getTime() + 3 * HOUR).toISOString(), mode: 'assisted', serviceRequestId: request.id });
    expect(wrongProject.status).toBe(400);
    expect(wrongProject.body.errors[0].field).toBe('serviceRequestId');
    // The same assisted work booked for the project alone, to compare what each costs once done.
    const plain = await http()
      .post('/api/v1/reservations')
      .set(bearer(world.tokens.staff))
      .send({ equipmentId: world.tools[0].id, projectId: world.projects.a.id, start: new Date(start.getTime() + 2 * HOUR).toISOString(), end: new Date(start.getTime() + 3 * HOUR).toISOString(), mode: 'assisted', purpose: 'SEM for the project' });
    expect(plain.status).toBe(201);

    // Results need datasets of this request.
    const dataset = await uploadDataset(request.id, [samples[0].id]);
    const otherRequest = await fileRequest();
    const strayDataset = await uploadDataset(otherRequest.id, [samples[1].id], 'Someone else’s images');
    const stray = await act(world.tokens.staff, request.id, 'results', { datasetIds: [strayDataset.id] });
    expect(stray.status).toBe(400);
    expect(stray.body.errors[0].field).toBe('datasetIds[0]');
    const results = await act(world.tokens.staff, request.id, 'results', { datasetIds: [dataset.id], summary: 'Grain size 120 ± 15 nm; no voids at the Ni/Au interface.', deviations: ['5 kV instead of 10 kV to avoid charging'] });
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({ status: 'results_ready', resultDatasetIds: [dataset.id] });

    // Back to work with a reason, then ready again.
    expect((await act(world.tokens.staff, request.id, 'reopen', {})).status).toBe(400);
    expect((await act(world.tokens.staff, request.id, 'reopen', { reason: 'Re-image coupon 1 at higher magnification' })).body.status).toBe('in_progress');
    expect((await act(world.tokens.staff, request.id, 'results', { datasetIds: [dataset.id] })).body.status).toBe('results_ready');

    // Signing needs the password again; a wrong one changes nothing.
    const wrong = await act(world.tokens.staff, request.id, 'deliver', { password: 'not-the-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors).toEqual([{ field: 'password', message: 'is wrong' }]);
    expect((await act(world.tokens.memberA, request.id, 'deliver', { password: PASSWORD })).status).toBe(403);
    expect((await http().get(`/api/v1/service-requests/${request.id}`).set(bearer(world.tokens.staff))).body).toMatchObject({ status: 'results_ready', reports: [] });
    const delivered = await act(world.tokens.staff, request.id, 'deliver', { password: PASSWORD });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ status: 'delivered', reports: [expect.objectContaining({ revision: 1, revisionId: `${request.code}-R1`, approvedBy: world.users.staff.id })] });

    // Delivery turns the accepted quote into charges at the quoted prices, each linked to the request.
    const charges = (await http().get(`/api/v1/charges?organizationId=${world.orgs.a.id}&kind=service`).set(bearer(world.tokens.memberA)).expect(200)).body.items.filter(
      (c: { sourceId: string }) => c.sourceId === request.id,
    );
    expect(charges.map((c: { amount: number }) => c.amount).sort((a: number, b: number) => a - b)).toEqual([-2000, 5000, 60000]);
    expect(charges.every((c: { sourceKind: string; taxRate: number; projectId: string }) => c.sourceKind === 'service_request' && c.taxRate === 10 && c.projectId === world.projects.a.id)).toBe(true);
    // The assisted session of the request is charged through it, never by time; the same work booked for the project alone is.
    await complete(session.body);
    await complete(plain.body);
    const chargedKinds = async (reservationId: string) =>
      ((await t.dataSource.query(`SELECT kind FROM charges WHERE source_id = $1 ORDER BY kind`, [reservationId])) as { kind: string }[]).map((c) => c.kind);
    expect(await chargedKinds(plain.body.id)).toContain('instrument_time');
    expect(await chargedKinds(session.body.id)).toEqual([]);

    // The worker renders the report; until then the API says when to come back.
    const report = await eventually(async () => {
      const res = await pdf(`/api/v1/service-requests/${request.id}/report.pdf`);
      if (res.status === 503) expect(res.headers['retry-after']).toBe('2');
      return res.status === 200 ? res : null;
    }, 30_000);
    expect(report.headers.etag).toBe(`"${sha256(report.body)}"`);
    const [reportText] = await extractText([report.body]);
    const text = reportText.pages.join('\n');
    expect(text).toContain(`${request.code}-R1`);
    for (const sample of samples) expect(text).toContain(sample.code);
    expect(text.replace(/\s/g, '')).toContain(dataset.files[0].sha256);
    expect(text).toContain('Staff KNS');
    expect(text).toContain('Grain size 120');
    expect(text).toContain('5 kV instead of 10 kV');
    expect(text).toContain('測定条件：beam.acceleratingVoltageKv = 5, beam.probeCurrentPa = 50, detector = SE');
    expect(text).toContain('承認');
    expect((await pdf(`/api/v1/service-requests/${request.id}/report.pdf`, world.tokens.memberB)).status).toBe(404);
    // Each sample's QR code carries what its label carries.
    const dir = mkdtempSync(join(tmpdir(), 'report-qr-'));
    try {
      writeFileSync(join(dir, 'report.pdf'), report.body);
      const [page] = await openPdfs([{ pdf: join(dir, 'report.pdf'), dpi: 200, rgba: join(dir, 'page.rgba') }]);
      const image = await readRgba(join(dir, 'page.rgba'), page.raster!);
      // One code at a time: a reader sees one label, so scan the QR column in overlapping windows.
      const found = new Set<string>();
      const width = Math.round(image.width * 0.3);
      for (let y = 0; y + 120 <= image.height; y += 20) {
        const window = crop(image, 0, y, width, 120);
        const code = jsQR(window.data, window.width, window.height, { inversionAttempts: 'dontInvert' });
        if (code) found.add(code.data);
      }
      expect([...found].sort()).toEqual(samples.map((s) => labelUrl(t.config.publicUrl, s.labelId)).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // An amendment is a new signed revision that names the one it replaces and why.
    const amended = await act(world.tokens.staff, request.id, 'amend', { password: PASSWORD, reason: 'Scale bar of image 1 was wrong', summary: 'Grain size 118 ± 15 nm (corrected scale).' });
    expect(amended.status).toBe(200);
    expect(amended.body.status).toBe('delivered');
    expect(amended.body.reports).toEqual([
      expect.objectContaining({ revision: 1, invalidationReason: 'Scale bar of image 1 was wrong' }),
      expect.objectContaining({ revision: 2, revisionId: `${request.code}-R2`, amendmentReason: 'Scale bar of image 1 was wrong', invalidatedAt: null }),
    ]);
    const second = await eventually(async () => {
      const res = await pdf(`/api/v1/service-requests/${request.id}/report.pdf`);
      return res.status === 200 && res.headers['content-disposition']?.includes('-R2') ? res : null;
    }, 30_000);
    const [secondText] = await extractText([second.body]);
    const text2 = secondText.pages.join('\n');
    expect(text2).toContain(`${request.code}-R1`);
    expect(text2).toContain('Scale bar of image 1 was wrong');
    expect(text2).toContain('118 ± 15');
    // The first revision stays retrievable, byte for byte.
    expect(sha256((await pdf(`/api/v1/service-requests/${request.id}/report.pdf?revision=1`)).body)).toBe(sha256(report.body));
    // The database refuses to edit an approved report.
    await expect(t.dataSource.query(`UPDATE service_reports SET content = '{}' WHERE request_id = $1`, [request.id])).rejects.toThrow(/never edited/);

    expect((await act(world.tokens.memberA, request.id, 'close')).body.status).toBe('closed');
    const timeline = (await http().get(`/api/v1/service-requests/${request.id}/timeline`).set(bearer(world.tokens.memberA)).expect(200)).body;
    expect(timeline.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'submitted',
      'quoted',
      'accepted',
      'samples_received',
      'in_progress',
      'results_ready',
      'in_progress',
      'results_ready',
      'delivered',
      'delivered',
      'closed',
    ]);
    expect(timeline[6].reason).toContain('Re-image coupon 1');

    // The requester was told at every step, through the outbox and the mail worker: each new status, the quote, each report.
    const mails = await eventually(async () => {
      const rows = (await t.dataSource.query(`SELECT subject FROM sent_mails WHERE recipient = 'a@alpha.test' AND subject LIKE $1`, [`[${request.code}]%`])) as { subject: string }[];
      return rows.length >= 12 ? rows : null;
    }, 20_000);
    const subjects = mails.map((m) => m.subject);
    expect(subjects.map((subject) => / \/ Analysis request (\S+)$/.exec(subject)?.[1]).filter(Boolean).sort()).toEqual(
      ['quoted', 'accepted', 'samples_received', 'in_progress', 'results_ready', 'in_progress', 'results_ready', 'delivered', 'closed'].sort(),
    );
    expect(subjects.filter((subject) => !subject.includes('/ Analysis request ')).sort()).toEqual(
      [`[${request.code}] お見積書 ${request.code}-Q1 のご案内 / Quote ${request.code}-Q1 issued`, `[${request.code}] 報告書ができました / Report ready`, `[${request.code}] 訂正版の報告書ができました / Amended report ready`].sort(),
    );
    // The center hears what the client did: filed, accepted, closed.
    const centerMails = await eventually(async () => {
      const rows = (await t.dataSource.query(`SELECT subject FROM sent_mails WHERE recipient = 'lab@kns.test' AND subject LIKE $1 ORDER BY sent_at`, [`[${request.code}]%`])) as { subject: string }[];
      return rows.length >= 3 ? rows : null;
    }, 20_000);
    // Mail jobs run side by side, so the order they were sent in is not the order of the steps.
    expect(centerMails.map((m) => m.subject).sort()).toEqual([
      `[${request.code}] Alpha Devices K.K.: 分析依頼 受付 / Analysis request submitted`,
      `[${request.code}] Alpha Devices K.K.: 分析依頼 見積承諾 / Analysis request accepted`,
      `[${request.code}] Alpha Devices K.K.: 分析依頼 完了 / Analysis request closed`,
    ].sort());

    expect((await http().get('/api/v1/audit/verify').set(bearer(world.tokens.admin)).expect(200)).body.ok).toBe(true);
  }, 120_000);

  it('refuses bad quotes, expired acceptance and out-of-order actions, changing nothing', async () => {
    const request = await fileRequest();
    const negativeQuantity = await quoteIt(request.id, { lines: [{ description: 'Prep', quantity: -1, unitPrice: 100 }] });
    expect(negativeQuantity.status).toBe(400);
    expect(negativeQuantity.body.errors.map((e: { field: string }) => e.field).join()).toMatch(/lines.*0.*quantity/);
    const negativePrice = await quoteIt(request.id, { lines: [{ description: 'Prep', quantity: 1, unitPrice: -500 }] });
    expect(negativePrice.status).toBe(400);
    expect(negativePrice.body.errors.map((e: { field: string }) => e.field).join()).toMatch(/lines.*0.*unitPrice/);
    const tooMuchDiscount = await quoteIt(request.id, { lines: [{ description: 'Goodwill', quantity: 1, unitPrice: 100000, discount: true }] });
    expect(tooMuchDiscount.status).toBe(400);
    expect(tooMuchDiscount.body.errors).toEqual([{ field: 'lines', message: 'the discounts exceed the quoted amount' }]);
    expect((await quoteIt(request.id, { validUntil: tokyoDate(-1) })).body.errors[0].field).toBe('validUntil');
    expect((await quoteIt(request.id, { taxRate: 7 })).status).toBe(400);
    expect((await act(world.tokens.memberA, request.id, 'accept')).status).toBe(422);
    expect((await http().get(`/api/v1/service-requests/${request.id}`).set(bearer(world.tokens.memberA))).body).toMatchObject({ status: 'submitted', quote: null });

    // A requote supersedes the first; an expired quote cannot be accepted.
    expect((await quoteIt(request.id)).body.quote.revision).toBe(1);
    const requoted = await quoteIt(request.id, { taxRate: 8 });
    expect(requoted.body.quote).toMatchObject({ revision: 2, number: `${request.code}-Q2`, taxRate: 8, tax: 4800 });
    // The client accepts what it read: revision 1 is no longer the quote in force.
    const stale = await act(world.tokens.memberA, request.id, 'accept', { revision: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentRevision: 2, errors: [{ field: 'revision', message: expect.stringContaining(`${request.code}-Q2`) }] });
    await t.dataSource.query(`UPDATE service_quotes SET valid_until = $2 WHERE request_id = $1 AND revision = 2`, [request.id, tokyoDate(-1)]);
    const expired = await act(world.tokens.memberA, request.id, 'accept');
    expect(expired.status).toBe(422);
    expect(expired.body.errors).toEqual([{ field: 'validUntil', message: `expired on ${tokyoDate(-1)}` }]);
    expect((await http().get(`/api/v1/service-requests/${request.id}`).set(bearer(world.tokens.memberA))).body).toMatchObject({ status: 'quoted', acceptedAt: null });

    // The client declines with a reason; nothing more can happen.
    expect((await act(world.tokens.memberA, request.id, 'reject', {})).status).toBe(400);
    expect((await act(world.tokens.memberA, request.id, 'reject', { reason: 'Over budget this quarter' })).body).toMatchObject({ status: 'rejected', statusReason: 'Over budget this quarter' });
    expect((await quoteIt(request.id)).status).toBe(422);

    // Filing checks the catalogue and the project.
    const bad = await http()
      .post('/api/v1/service-requests')
      .set(bearer(world.tokens.memberA))
      .send({ centerId: world.centers.kyu.id, projectId: world.projects.b.id, items: [{ serviceId: sem.id, quantity: 0 }], sampleCount: 0, sampleDescription: '' });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).join();
    expect(fields).toMatch(/quantity/);
    expect(fields).toMatch(/sampleCount/);
    expect(fields).toMatch(/sampleDescription/);
    const elsewhere = await http()
      .post('/api/v1/service-requests')
      .set(bearer(world.tokens.memberA))
      .send({ centerId: world.centers.kyu.id, projectId: world.projects.a.id, items: [{ serviceId: sem.id, quantity: 1 }], sampleCount: 1, sampleDescription: 'x' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([{ field: 'items[0].serviceId', message: 'no such service at this center' }]);
    const foreignProject = await http()
      .post('/api/v1/service-requests')
      .set(bearer(world.tokens.memberA))
      .send({ centerId: world.centers.kns.id, projectId: world.projects.b.id, items: [{ serviceId: sem.id, quantity: 1 }], sampleCount: 1, sampleDescription: 'x' });
    expect(foreignProject.status).toBe(400);
    expect(foreignProject.body.errors).toEqual([{ field: 'projectId', message: 'no such project' }]);
  }, 60_000);

  it('numbers requests without gaps per center and year, also when filed at once', async () => {
    const filed = await Promise.all(Array.from({ length: 8 }, () => fileRequest()));
    const numbers = filed.map((r) => Number(r.code.split('-').pop())).sort((a, b) => a - b);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBe(numbers[i - 1] + 1);
  });

  it('keeps the catalogue to staff of the center and to its own equipment', async () => {
    const body = { centerId: world.centers.kns.id, code: 'XRD-1', nameJa: 'XRD 測定', nameEn: 'XRD', technique: 'XRD', equipmentIds: [world.kyuTool.id], unit: 'measurement', prices: { academic: 1, industry: 2, venture: 3 }, turnaroundDays: 5 };
    expect((await http().post('/api/v1/services').set(bearer(world.tokens.memberA)).send(body)).status).toBe(403);
    const wrongTool = await http().post('/api/v1/services').set(bearer(world.tokens.staff)).send(body);
    expect(wrongTool.status).toBe(400);
    expect(wrongTool.body.errors).toEqual([{ field: 'equipmentIds[0]', message: 'no such equipment at this center' }]);
    const negative = await http().post('/api/v1/services').set(bearer(world.tokens.staff)).send({ ...body, equipmentIds: [], prices: { academic: -1, industry: 2, venture: 3 } });
    expect(negative.status).toBe(400);
    const duplicate = await http().post('/api/v1/services').set(bearer(world.tokens.staff)).send({ ...body, code: 'SEM-IMG', equipmentIds: [] });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].field).toBe('code');
    const listed = await http().get(`/api/v1/services?centerId=${world.centers.kns.id}`).set(bearer(world.tokens.memberB)).expect(200);
    expect(listed.body.items.map((s: { code: string }) => s.code)).toContain('SEM-IMG');
    // Withdrawn services are not offered to new requests.
    const withdrawn = (await http().post('/api/v1/services').set(bearer(world.tokens.staff)).send({ ...body, code: 'OLD-1', equipmentIds: [] }).expect(201)).body;
    await http().patch(`/api/v1/services/${withdrawn.id}`).set(bearer(world.tokens.staff)).send({ active: false }).expect(200);
    const res = await http()
      .post('/api/v1/service-requests')
      .set(bearer(world.tokens.memberA))
      .send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, items: [{ serviceId: withdrawn.id, quantity: 1 }], sampleCount: 1, sampleDescription: 'x' });
    expect(res.body.errors).toEqual([{ field: 'items[0].serviceId', message: 'the service is no longer offered' }]);
  });
});
