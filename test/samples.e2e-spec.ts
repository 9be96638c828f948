import { Actor } from '../src/common/auth/actor';
import { SampleActionsService } from '../src/samples/sample-actions.service';
import { SamplesService } from '../src/samples/samples.service';
import { extractText } from '../src/samples/testing/pdf-text';
import { bearer, seedWorld, World } from './support/fixtures';
import { binary } from './support/binary';
import { createTestApp, TestApp } from './support/test-app';

const MINUTE = 60_000;

describe('samples', () => {
  let t: TestApp;
  let world: World;
  let room: { id: string; labelId: string };
  let box: { id: string };
  let positions: { id: string; labelId: string }[];

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    const kns = world.centers.kns.id;
    room = (await location({ centerId: kns, name: 'Cleanroom B', kind: 'room' }).expect(201)).body;
    const cabinet = (await location({ centerId: kns, parentId: room.id, name: 'Dry cabinet 2', kind: 'cabinet' }).expect(201)).body;
    box = (await location({ centerId: kns, parentId: cabinet.id, name: 'Box A3', kind: 'box', capacity: 50 }).expect(201)).body;
    positions = [];
    for (let i = 1; i <= 3; i++) positions.push((await location({ centerId: kns, parentId: box.id, name: `A3-${i}`, kind: 'position' }).expect(201)).body);
  });
  afterAll(() => t.close());

  const http = () => t.http();
  const location = (body: Record<string, unknown>) => http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send(body);
  const register = (token: string, body: Record<string, unknown>) => http().post('/api/v1/samples').set(bearer(token)).send(body);
  const act = (token: string, id: string, action: string, body: Record<string, unknown> = {}) => http().post(`/api/v1/samples/${id}/${action}`).set(bearer(token)).send(body);
  const sampleBody = (extra: Record<string, unknown> = {}) => ({
    centerId: world.centers.kns.id,
    projectId: world.projects.a.id,
    name: 'GaN-on-Si wafer W07',
    material: 'GaN/AlGaN on Si(111)',
    form: 'wafer',
    quantity: 1,
    unit: 'pcs',
    ...extra,
  });
  const receiveAndStore = async (id: string, locationId = box.id) => {
    const res = await act(world.tokens.staff, id, 'receive', { condition: 'intact', locationId });
    expect(res.status).toBe(200);
    return res.body;
  };
  const events = async (id: string, inherited = false) =>
    (await http().get(`/api/v1/samples/${id}/events?inherited=${inherited}`).set(bearer(world.tokens.staff)).expect(200)).body.items as Record<string, unknown>[];

  describe('registry', () => {
    it('registers a sample with a code, a label and a registered event; only its organization sees it', async () => {
      const res = await register(world.tokens.memberA, sampleBody({ hazards: ['GHS02'], clientRef: 'PO-4471' }));
      expect(res.status).toBe(201);
      const year = String(new Date(Date.now() + 9 * 60 * MINUTE).getUTCFullYear() % 100).padStart(2, '0');
      expect(res.body).toMatchObject({ state: 'expected', organizationId: world.orgs.a.id, hazards: ['GHS02'], quantity: 1, allowedActions: ['receive', 'reject', 'cancel'] });
      expect(res.body.code).toMatch(new RegExp(`^KNS-${year}-\\d{6}$`));
      expect(res.body.labelId).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
      const history = await events(res.body.id);
      expect(history).toMatchObject([{ seq: 1, type: 'registered', toState: 'expected', actorId: world.users.memberA.id, source: 'api', prevHash: null }]);

      expect((await http().get(`/api/v1/samples/${res.body.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
      expect((await http().get(`/api/v1/samples/${res.body.id}/events`).set(bearer(world.tokens.memberB))).status).toBe(404);
      expect((await act(world.tokens.memberB, res.body.id, 'cancel', { reason: 'not ours' })).status).toBe(404);
      const listB = await http().get('/api/v1/samples').set(bearer(world.tokens.memberB)).expect(200);
      expect(listB.body.items.map((s: { id: string }) => s.id)).not.toContain(res.body.id);
      const found = await http().get('/api/v1/samples?q=W07&hazard=GHS02').set(bearer(world.tokens.memberA)).expect(200);
      expect(found.body.items.map((s: { id: string }) => s.id)).toContain(res.body.id);
    });

    it('registers 25 dies in one request with consecutive codes, all or none', async () => {
      const dies = Array.from({ length: 25 }, (_, i) => sampleBody({ name: `Die ${i + 1}`, form: 'die' }));
      const res = await http().post('/api/v1/samples/bulk').set(bearer(world.tokens.staff)).send({ samples: dies });
      expect(res.status).toBe(201);
      const numbers = res.body.items.map((s: { code: string }) => Number(s.code.slice(-6)));
      expect(numbers).toEqual(Array.from({ length: 25 }, (_, i) => numbers[0] + i));

      const before = await t.dataSource.query('SELECT count(*)::int AS n FROM samples');
      const bad = await http()
        .post('/api/v1/samples/bulk')
        .set(bearer(world.tokens.staff))
        .send({ samples: [sampleBody(), sampleBody({ projectId: '00000000-0000-4000-8000-000000000000' })] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'samples[1].projectId', message: 'no such project' }]);
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM samples'))[0].n).toBe(before[0].n);
    });

    it('allocates codes without gaps or duplicates under concurrent registration', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => http().post('/api/v1/samples/bulk').set(bearer(world.tokens.staff)).send({ samples: [sampleBody(), sampleBody(), sampleBody()] })));
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      const answered = results.flatMap((r) => r.body.items.map((s: { code: string }) => s.code)).sort();
      const rows = await t.dataSource.query(`SELECT code FROM samples WHERE center_id = $1 ORDER BY code`, [world.centers.kns.id]);
      const numbers = rows.map((row: { code: string }) => Number(row.code.slice(-6)));
      expect(answered).toEqual(rows.map((row: { code: string }) => row.code).slice(-36));
      expect(numbers[numbers.length - 1] - numbers[0] + 1).toBe(numbers.length);
    });

    it('refuses bad registrations naming the field, and another organization’s project', async () => {
      const res = await register(world.tokens.memberA, { ...sampleBody(), form: 'brick', hazards: ['GHS99'], quantity: -1 });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['form', 'hazards', 'quantity']);
      const foreign = await register(world.tokens.memberA, sampleBody({ projectId: world.projects.b.id }));
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors).toEqual([{ field: 'projectId', message: 'no such project' }]);
    });
  });

  describe('state machine and custody record', () => {
    it('walks receive → store → check-out → process step → measure → check-in, chaining every event', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      expect((await act(world.tokens.memberA, sample.id, 'receive', { condition: 'intact' })).status).toBe(403);
      const received = await receiveAndStore(sample.id, positions[0].id);
      expect(received).toMatchObject({ state: 'available', locationId: positions[0].id });

      // The chain head stays inside: the sequence is shown, the hash is not.
      expect(received.lastEventSeq).toBe(3);
      expect(received).not.toHaveProperty('lastEventHash');

      const tool = world.tools[0];
      expect((await act(world.tokens.staff, sample.id, 'check-out', { equipmentId: tool.id })).body).toMatchObject({ state: 'in_use', holderId: world.users.staff.id });
      // Processing happens after registration and is recorded once it ended.
      const startedAt = new Date().toISOString();
      const endedAt = new Date(Date.now() + MINUTE).toISOString();
      const step = await act(world.tokens.staff, sample.id, 'process-step', {
        equipmentId: tool.id,
        recipe: 'ALD-Al2O3-20nm',
        recipeVersion: '3',
        setpoints: { temperatureC: 250, cycles: 200 },
        actuals: { temperatureC: 249.6, cycles: 200 },
        runId: 'ald-run-1',
        startedAt,
        endedAt,
        outcome: 'success',
      });
      expect(step.status).toBe(200);
      const measured = await act(world.tokens.staff, sample.id, 'measure', {
        equipmentId: tool.id,
        method: 'XRR',
        results: [{ quantity: 'film thickness', value: 20.4, unit: 'nm', uncertainty: 0.3 }],
        datasets: [{ name: 'xrr-w07.raw', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }],
      });
      expect(measured.status).toBe(200);
      expect((await act(world.tokens.staff, sample.id, 'check-in', {})).body).toMatchObject({ state: 'available', holderId: null, locationId: positions[0].id });

      const history = await events(sample.id);
      expect(history.map((e) => e.type)).toEqual(['registered', 'received', 'location_changed', 'custody_changed', 'process_step', 'measured', 'custody_changed']);
      expect(history.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (let i = 1; i < history.length; i++) expect(history[i].prevHash).toBe(history[i - 1].hash);
      expect(history[4]).toMatchObject({ equipmentId: tool.id, runId: 'ald-run-1', occurredAt: startedAt, payload: { recipe: 'ALD-Al2O3-20nm', outcome: 'success', actuals: { temperatureC: 249.6 } } });
      const verdict = await http().get(`/api/v1/samples/${sample.id}/verify`).set(bearer(world.tokens.memberA)).expect(200);
      expect(verdict.body).toEqual({ ok: true, checked: 7 });
    });

    it('answers a forbidden transition with 422 naming the current state and the allowed actions', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      const res = await act(world.tokens.staff, sample.id, 'process-step', {
        equipmentId: world.tools[0].id,
        recipe: 'x',
        startedAt: new Date().toISOString(),
        endedAt: new Date(Date.now() + MINUTE).toISOString(),
        outcome: 'success',
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ currentState: 'expected', allowedActions: ['receive', 'reject', 'cancel'] });
      expect(res.body.detail).toContain('it is expected');
      expect((await events(sample.id)).length).toBe(1);
    });

    it('checks times: not in the future, not before registration; a process step needs a reservation that fits', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      const future = await act(world.tokens.staff, sample.id, 'receive', { condition: 'intact', occurredAt: new Date(Date.now() + 60 * MINUTE).toISOString() });
      expect(future.status).toBe(400);
      expect(future.body.errors).toEqual([{ field: 'occurredAt', message: 'is in the future' }]);
      const early = await act(world.tokens.staff, sample.id, 'receive', { condition: 'intact', occurredAt: new Date(Date.now() - 24 * 60 * MINUTE).toISOString() });
      expect(early.status).toBe(400);
      expect(early.body.errors[0].field).toBe('occurredAt');

      await receiveAndStore(sample.id);
      await act(world.tokens.staff, sample.id, 'check-out', {}).expect(200);
      const other = await act(world.tokens.staff, sample.id, 'process-step', {
        equipmentId: world.tools[0].id,
        reservationId: '00000000-0000-4000-8000-000000000000',
        recipe: 'x',
        startedAt: new Date().toISOString(),
        endedAt: new Date(Date.now() + MINUTE).toISOString(),
        outcome: 'success',
      });
      expect(other.status).toBe(400);
      expect(other.body.errors).toEqual([{ field: 'reservationId', message: 'no such reservation' }]);
      const backwards = await act(world.tokens.staff, sample.id, 'process-step', {
        equipmentId: world.tools[0].id,
        recipe: 'x',
        startedAt: new Date(Date.now() + MINUTE).toISOString(),
        endedAt: new Date().toISOString(),
        outcome: 'success',
      });
      expect(backwards.status).toBe(400);
      expect(backwards.body.errors[0].field).toBe('endedAt');
    });

    it('ties a process step to a reservation only on that tool, covering the time, of the sample owner', async () => {
      const [toolA, toolB] = [world.tools[1], world.tools[2]];
      const [reservation] = await t.dataSource.query(
        `INSERT INTO reservations (equipment_id, kind, user_id, organization_id, project_id, mode, status, start_at, end_at, period)
         VALUES ($1, 'booking', $2, $3, $4, 'assisted', 'in_use', now() - interval '1 hour', now() + interval '1 hour', tstzrange(now() - interval '1 hour', now() + interval '1 hour'))
         RETURNING id`,
        [toolA.id, world.users.memberA.id, world.orgs.a.id, world.projects.a.id],
      );
      const mine = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      const theirs = (await register(world.tokens.memberB, sampleBody({ projectId: world.projects.b.id })).expect(201)).body;
      for (const s of [mine, theirs]) {
        await receiveAndStore(s.id);
        await act(world.tokens.staff, s.id, 'check-out', {}).expect(200);
      }
      const step = (equipmentId: string, minutes = 1) => ({
        equipmentId,
        reservationId: reservation.id,
        recipe: 'RTA 600C',
        startedAt: new Date().toISOString(),
        endedAt: new Date(Date.now() + minutes * MINUTE).toISOString(),
        outcome: 'success',
      });
      const wrongTool = await act(world.tokens.staff, mine.id, 'process-step', step(toolB.id));
      expect(wrongTool.body.errors).toEqual([{ field: 'reservationId', message: 'is on other equipment' }]);
      const otherOwner = await act(world.tokens.staff, theirs.id, 'process-step', step(toolA.id));
      expect(otherOwner.body.errors).toEqual([{ field: 'reservationId', message: "belongs to another organization than the sample's owner" }]);
      const [earlier] = await t.dataSource.query(
        `INSERT INTO reservations (equipment_id, kind, user_id, organization_id, project_id, mode, status, start_at, end_at, period)
         VALUES ($1, 'booking', $2, $3, $4, 'assisted', 'completed', now() - interval '3 hours', now() - interval '2 hours', tstzrange(now() - interval '3 hours', now() - interval '2 hours'))
         RETURNING id`,
        [toolA.id, world.users.memberA.id, world.orgs.a.id, world.projects.a.id],
      );
      const outside = await act(world.tokens.staff, mine.id, 'process-step', { ...step(toolA.id), reservationId: earlier.id });
      expect(outside.status).toBe(400);
      expect(outside.body.errors[0]).toMatchObject({ field: 'reservationId', message: expect.stringMatching(/^does not cover/) });
      const ok = await act(world.tokens.staff, mine.id, 'process-step', step(toolA.id));
      expect(ok.status).toBe(200);
      const [event] = (await events(mine.id)).slice(-1);
      expect(event).toMatchObject({ type: 'process_step', equipmentId: toolA.id, reservationId: reservation.id });
    });

    it('places a hold on a sample and, with cascade, on every piece cut from it that can be held', async () => {
      const wafer = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      await receiveAndStore(wafer.id);
      await act(world.tokens.staff, wafer.id, 'split', { children: [{ descriptor: { piece: 1 } }, { descriptor: { piece: 2 } }, { descriptor: { piece: 3 } }] }).expect(200);
      const pieces = (await http().get(`/api/v1/samples/${wafer.id}/lineage?direction=down`).set(bearer(world.tokens.staff))).body.edges.map((e: { childId: string }) => e.childId);
      await act(world.tokens.staff, pieces[2], 'dispose', { reasonCode: 'used_up' }).expect(200);
      const held = await act(world.tokens.staff, wafer.id, 'hold', { reason: 'contamination found in the furnace', cascade: true });
      expect(held.body.state).toBe('on_hold');
      const states = await Promise.all(pieces.map(async (id: string) => (await http().get(`/api/v1/samples/${id}`).set(bearer(world.tokens.staff))).body.state));
      expect(states).toEqual(['on_hold', 'on_hold', 'disposed']);
      const [pieceEvent] = (await events(pieces[0])).slice(-1);
      expect(pieceEvent).toMatchObject({ type: 'hold_placed', reason: 'contamination found in the furnace', payload: { cascadedFrom: { id: wafer.id } } });
    });

    it('keeps events append-only: the database refuses edits, the API answers 405, a correction needs a reason', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      const [first] = await events(sample.id);
      await expect(t.dataSource.query(`UPDATE sample_events SET reason = 'x' WHERE id = $1`, [first.id])).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`DELETE FROM sample_events WHERE id = $1`, [first.id])).rejects.toThrow(/append-only/);
      expect((await http().patch(`/api/v1/samples/${sample.id}/events/${first.id}`).set(bearer(world.tokens.staff)).send({ reason: 'x' })).status).toBe(405);
      expect((await http().delete(`/api/v1/samples/${sample.id}/events/${first.id}`).set(bearer(world.tokens.staff))).status).toBe(405);

      const noReason = await act(world.tokens.staff, sample.id, 'correct', { targetEventId: first.id, field: 'payload.code', newValue: 'x' });
      expect(noReason.status).toBe(400);
      expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'is required to correct a sample' }]);
      const corrected = await act(world.tokens.staff, sample.id, 'correct', { targetEventId: first.id, field: 'clientRef', oldValue: null, newValue: 'PO-9', reason: 'PO number arrived late' });
      expect(corrected.status).toBe(200);
      const history = await events(sample.id);
      expect(history[1]).toMatchObject({ type: 'corrected', reason: 'PO number arrived late', payload: { targetEventId: first.id, newValue: 'PO-9' } });
      expect(history[1].prevHash).toBe(first.hash);
    });

    it('exports the chain of custody as a PDF: every event, who, and the verified head hash', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody({ name: '酸化ガリウム基板 G-3', hazards: ['GHS07'] })).expect(201)).body;
      await receiveAndStore(sample.id, box.id);
      await act(world.tokens.staff, sample.id, 'hold', { reason: 'label smudged' }).expect(200);
      const history = await events(sample.id);
      const res = await http().get(`/api/v1/samples/${sample.id}/custody.pdf`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const [pdf] = await extractText([res.body as Buffer]);
      const text = pdf.pages.join('\n').replace(/\s+/g, '');
      expect(text).toContain(sample.code);
      expect(text).toContain('酸化ガリウム基板');
      expect(text).toContain('labelsmudged');
      expect(text).toContain(String(history[history.length - 1].hash));
      expect(text).toContain('AliceAlpha');
      expect((await http().get(`/api/v1/samples/${sample.id}/custody.pdf`).set(bearer(world.tokens.memberB))).status).toBe(404);
    });

    it('names the first broken link after a direct SQL edit, in the sample verify and the audit verify', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      await receiveAndStore(sample.id);
      const [, received] = await events(sample.id);
      await t.dataSource.transaction(async (em) => {
        await em.query('ALTER TABLE sample_events DISABLE TRIGGER sample_events_append_only');
        await em.query(`UPDATE sample_events SET payload = jsonb_set(payload, '{condition}', '"damaged"') WHERE id = $1`, [received.id]);
        await em.query('ALTER TABLE sample_events ENABLE TRIGGER sample_events_append_only');
      });
      const verdict = await http().get(`/api/v1/samples/${sample.id}/verify`).set(bearer(world.tokens.staff)).expect(200);
      expect(verdict.body).toMatchObject({ ok: false, firstBroken: { id: received.id, entity: 'sample', entityId: sample.id, seq: 2, reason: 'hash does not match the entry' } });
      const audit = await http().get('/api/v1/audit/verify').set(bearer(world.tokens.admin)).expect(200);
      expect(audit.body).toMatchObject({ ok: false, firstBroken: { entity: 'sample' } });
      // Put it back so later chains verify.
      await t.dataSource.transaction(async (em) => {
        await em.query('ALTER TABLE sample_events DISABLE TRIGGER sample_events_append_only');
        await em.query(`UPDATE sample_events SET payload = jsonb_set(payload, '{condition}', '"intact"') WHERE id = $1`, [received.id]);
        await em.query('ALTER TABLE sample_events ENABLE TRIGGER sample_events_append_only');
      });
      expect((await http().get(`/api/v1/samples/${sample.id}/verify`).set(bearer(world.tokens.staff))).body.ok).toBe(true);
    });

    it('holds with a reason and releases to the state before; cancel is the owner’s, with a reason', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      await receiveAndStore(sample.id);
      expect((await act(world.tokens.staff, sample.id, 'hold', {})).status).toBe(400);
      expect((await act(world.tokens.staff, sample.id, 'hold', { reason: 'suspected contamination' })).body.state).toBe('on_hold');
      expect((await act(world.tokens.staff, sample.id, 'release', {})).body).toMatchObject({ state: 'available', heldFrom: null });

      const other = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      expect((await act(world.tokens.memberA, other.id, 'cancel', { reason: 'registered twice' })).body.state).toBe('cancelled');
      expect((await act(world.tokens.memberA, other.id, 'reinstate', { reason: 'x' })).status).toBe(403);
    });
  });

  describe('storage', () => {
    it('enforces capacity: a full position answers 409 and nothing moves; occupancy follows samples', async () => {
      const a = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      const b = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      await receiveAndStore(a.id, positions[2].id);
      await act(world.tokens.staff, b.id, 'receive', { condition: 'intact' }).expect(200);
      const full = await act(world.tokens.staff, b.id, 'store', { locationId: positions[2].id });
      expect(full.status).toBe(409);
      expect(full.body.errors[0].field).toBe('locationId');
      expect(full.body.detail).toContain('full (1 of 1)');
      expect((await http().get(`/api/v1/samples/${b.id}`).set(bearer(world.tokens.staff))).body).toMatchObject({ state: 'received', locationId: null });

      await expect(t.dataSource.query('UPDATE samples SET location_id = $1 WHERE id = $2', [positions[2].id, b.id])).rejects.toThrow(/ck_locations_capacity/);
      const position = await http().get(`/api/v1/locations/${positions[2].id}`).set(bearer(world.tokens.staff)).expect(200);
      expect(position.body).toMatchObject({ capacity: 1, occupancy: 1, labelId: positions[2].labelId });
      expect(position.body.path.map((p: { name: string }) => p.name)).toEqual(['Cleanroom B', 'Dry cabinet 2', 'Box A3', 'A3-3']);

      const inBox = await http().get(`/api/v1/samples?locationId=${room.id}`).set(bearer(world.tokens.staff)).expect(200);
      expect(inBox.body.items.map((s: { id: string }) => s.id)).toContain(a.id);
      const nowhere = await http().get('/api/v1/samples?locationId=00000000-0000-4000-8000-000000000000').set(bearer(world.tokens.staff));
      expect([nowhere.status, nowhere.body.items]).toEqual([200, []]);
      const tree = await http().get(`/api/v1/locations/tree?centerId=${world.centers.kns.id}`).set(bearer(world.tokens.staff)).expect(200);
      expect(tree.body[0]).toMatchObject({ name: 'Cleanroom B', children: [{ name: 'Dry cabinet 2', children: [{ name: 'Box A3' }] }] });
    });
  });

  describe('concurrency', () => {
    it('checks out more samples to a tool at once than the database pool has connections', async () => {
      const samples = (
        await http()
          .post('/api/v1/samples/bulk')
          .set(bearer(world.tokens.staff))
          .send({ samples: Array.from({ length: 30 }, (_, i) => sampleBody({ name: `Batch ${i}` })) })
          .expect(201)
      ).body.items as { id: string }[];
      await Promise.all(samples.map((sample) => receiveAndStore(sample.id, room.id)));
      const tool = world.tools[0];
      const checkOuts = await Promise.all(samples.map((sample) => act(world.tokens.staff, sample.id, 'check-out', { equipmentId: tool.id })));
      expect(checkOuts.map((r) => r.status)).toEqual(samples.map(() => 200));
      // All at once at the service too, where nothing spaces the calls out: a transaction that
      // waited for a second pool connection while holding one would hang here.
      const actions = t.app.get(SampleActionsService);
      const staff: Actor = { kind: 'user', id: world.users.staff.id, userId: world.users.staff.id, role: 'staff', organizationId: null, centerIds: [world.centers.kns.id] };
      const measured = await Promise.all(
        samples.map((sample) => actions.measure(staff, sample.id, { equipmentId: tool.id, method: 'optical inspection', results: [{ quantity: 'defects', value: 0, unit: 'count' }] }, { source: 'api' })),
      );
      expect(measured.map((s) => s.lastEventSeq)).toEqual(samples.map(() => 5));
    });

    it('moves samples between two boxes in both directions at once without deadlocks or lost counts', async () => {
      const kns = world.centers.kns.id;
      const a = (await location({ centerId: kns, parentId: room.id, name: 'Swap box A', kind: 'box', capacity: 100 }).expect(201)).body;
      const b = (await location({ centerId: kns, parentId: room.id, name: 'Swap box B', kind: 'box', capacity: 100 }).expect(201)).body;
      const samples = (
        await http()
          .post('/api/v1/samples/bulk')
          .set(bearer(world.tokens.staff))
          .send({ samples: Array.from({ length: 16 }, (_, i) => sampleBody({ name: `Swap ${i}` })) })
          .expect(201)
      ).body.items as { id: string }[];
      for (const [i, sample] of samples.entries()) await receiveAndStore(sample.id, i % 2 ? b.id : a.id);
      for (let round = 0; round < 3; round++) {
        const moves = await Promise.all(samples.map((sample, i) => act(world.tokens.staff, sample.id, 'store', { locationId: (i + round) % 2 ? a.id : b.id })));
        expect(moves.map((m) => m.status)).toEqual(samples.map(() => 200));
      }
      const [countA, countB] = await Promise.all([a, b].map(async (box) => (await http().get(`/api/v1/locations/${box.id}`).set(bearer(world.tokens.staff))).body.occupancy));
      expect([countA, countB]).toEqual([8, 8]);
      const [actual] = await t.dataSource.query(`SELECT count(*) FILTER (WHERE location_id = $1)::int AS a, count(*) FILTER (WHERE location_id = $2)::int AS b FROM samples`, [a.id, b.id]);
      expect(actual).toEqual({ a: 8, b: 8 });
    });
  });

  describe('retention and move history', () => {
    it('lists samples past their retention date and mails each center a daily reminder through the outbox', async () => {
      const due = (await register(world.tokens.memberA, sampleBody({ name: 'Old wafer', retentionUntil: '2026-01-31' })).expect(201)).body;
      const later = (await register(world.tokens.memberA, sampleBody({ retentionUntil: '2099-01-01' })).expect(201)).body;
      const gone = (await register(world.tokens.memberA, sampleBody({ retentionUntil: '2026-01-31' })).expect(201)).body;
      await act(world.tokens.memberA, gone.id, 'cancel', { reason: 'never sent' }).expect(200);

      const list = await http().get(`/api/v1/samples/due-for-disposal?centerId=${world.centers.kns.id}`).set(bearer(world.tokens.staff)).expect(200);
      const ids = list.body.items.map((s: { id: string }) => s.id);
      expect(ids).toContain(due.id);
      expect(ids).not.toContain(later.id);
      expect(ids).not.toContain(gone.id);
      expect((await http().get('/api/v1/samples/due-for-disposal').set(bearer(world.tokens.memberA))).status).toBe(403);

      await t.dataSource.query(`UPDATE centers SET contact_email = 'samples@kns.example' WHERE id = $1`, [world.centers.kns.id]);
      const queued = await t.app.get(SamplesService).queueRetentionDigests(new Date());
      expect(queued).toBe(1);
      const [mail] = await t.dataSource.query(`SELECT payload FROM outbox WHERE payload->>'template' = 'retention-due' ORDER BY created_at DESC LIMIT 1`);
      expect(mail.payload).toMatchObject({ to: 'samples@kns.example', data: { centerCode: 'KNS' } });
      expect(mail.payload.data.list).toContain(due.code);
      expect(mail.payload.data.list).not.toContain(gone.code);
    });

    it('keeps the move history of a location: what came in and what left', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody()).expect(201)).body;
      await receiveAndStore(sample.id, positions[1].id);
      await act(world.tokens.staff, sample.id, 'store', { locationId: box.id }).expect(200);
      const history = await http().get(`/api/v1/locations/${positions[1].id}/history`).set(bearer(world.tokens.staff)).expect(200);
      const mine = history.body.items.filter((m: { sampleId: string }) => m.sampleId === sample.id);
      expect(mine.map((m: { direction: string }) => m.direction)).toEqual(['out', 'in']);
      expect((await http().get(`/api/v1/locations/${positions[1].id}/history`).set(bearer(world.tokens.memberA))).status).toBe(403);
    });
  });

  describe('disposal and shipping', () => {
    it('needs a reason code, a comment for other, and a waste stream for hazardous samples', async () => {
      const sample = (await register(world.tokens.memberA, sampleBody({ hazards: ['GHS02', 'GHS07'] })).expect(201)).body;
      await receiveAndStore(sample.id);
      const noCode = await act(world.tokens.staff, sample.id, 'dispose', {});
      expect(noCode.status).toBe(400);
      expect(noCode.body.errors[0].field).toBe('reasonCode');
      const noStream = await act(world.tokens.staff, sample.id, 'dispose', { reasonCode: 'used_up' });
      expect(noStream.status).toBe(400);
      expect(noStream.body.errors).toEqual([{ field: 'wasteStream', message: 'is required: the sample is hazardous (GHS02, GHS07)' }]);
      const other = await act(world.tokens.staff, sample.id, 'dispose', { reasonCode: 'other', wasteStream: 'flammable solids' });
      expect(other.body.errors).toEqual([{ field: 'comment', message: 'is required when the reason code is other' }]);
      const disposed = await act(world.tokens.staff, sample.id, 'dispose', { reasonCode: 'used_up', wasteStream: 'flammable solids' });
      expect(disposed.body).toMatchObject({ state: 'disposed', locationId: null, allowedActions: [] });
    });

    it('ships only with every piece cut from it shipped along or settled, and takes it back on return', async () => {
      const wafer = (await register(world.tokens.memberA, sampleBody({ quantity: 4 })).expect(201)).body;
      await receiveAndStore(wafer.id);
      const split = await act(world.tokens.staff, wafer.id, 'split', { children: [{ descriptor: { quarter: 1 }, quantity: 1 }, { descriptor: { quarter: 2 }, quantity: 1 }] });
      expect(split.body).toMatchObject({ state: 'available', quantity: 2 });
      const refused = await act(world.tokens.staff, wafer.id, 'ship', { carrier: 'Yamato' });
      expect(refused.status).toBe(422);
      expect(refused.body.descendants).toHaveLength(2);
      const shipped = await act(world.tokens.staff, wafer.id, 'ship', { carrier: 'Yamato', includeDescendants: true });
      expect(shipped.body).toMatchObject({ state: 'shipped', locationId: null });
      const lineage = await http().get(`/api/v1/samples/${wafer.id}/lineage?direction=down`).set(bearer(world.tokens.memberA)).expect(200);
      expect(lineage.body.nodes.map((n: { state: string }) => n.state)).toEqual(['shipped', 'shipped', 'shipped']);
      expect((await act(world.tokens.staff, wafer.id, 'return', { condition: 'intact' })).body.state).toBe('received');
    });
  });

  describe('lineage', () => {
    it('splits to any depth, keeps descriptors, refuses quantities over the parent, and inherits pre-split history', async () => {
      const wafer = (await register(world.tokens.memberA, sampleBody({ quantity: 1 })).expect(201)).body;
      await receiveAndStore(wafer.id);
      await act(world.tokens.staff, wafer.id, 'check-out', {}).expect(200);
      await act(world.tokens.staff, wafer.id, 'process-step', {
        equipmentId: world.tools[0].id,
        recipe: 'Dicing prep',
        startedAt: new Date().toISOString(),
        endedAt: new Date(Date.now() + MINUTE).toISOString(),
        outcome: 'success',
      }).expect(200);

      const tooMuch = await act(world.tokens.staff, wafer.id, 'split', { children: [{ descriptor: { quarter: 1 }, quantity: 0.5 }, { descriptor: { quarter: 2 }, quantity: 0.75 }] });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.errors[0].field).toBe('children');

      const quarters = Array.from({ length: 4 }, (_, i) => ({ descriptor: { quarter: i + 1 }, quantity: 0.25 }));
      const split = await act(world.tokens.staff, wafer.id, 'split', { children: quarters });
      expect(split.body).toMatchObject({ state: 'consumed', quantity: 0 });
      const [, , , , , splitEvent] = await events(wafer.id);
      expect(splitEvent).toMatchObject({ type: 'split', toState: 'consumed' });
      const quarterIds = (splitEvent.payload as { children: { id: string }[] }).children.map((c) => c.id);

      const q1 = quarterIds[0];
      const dies = await act(world.tokens.staff, q1, 'split', { children: [{ descriptor: { dieX: 1, dieY: 1 } }, { descriptor: { dieX: 1, dieY: 2 } }] });
      expect(dies.status).toBe(200);
      const down = await http().get(`/api/v1/samples/${wafer.id}/lineage?direction=down`).set(bearer(world.tokens.memberA)).expect(200);
      expect(down.body.nodes).toHaveLength(7);
      expect(down.body.edges).toHaveLength(6);
      const dieEdge = down.body.edges.find((e: { descriptor: { dieY?: number } }) => e.descriptor.dieY === 2);
      expect(dieEdge).toMatchObject({ parentId: q1, kind: 'split' });
      const dieId = dieEdge.childId;
      const up = await http().get(`/api/v1/samples/${dieId}/lineage?direction=up`).set(bearer(world.tokens.memberA)).expect(200);
      expect(up.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual([wafer.id, q1, dieId].sort());
      const shallow = await http().get(`/api/v1/samples/${wafer.id}/lineage?direction=down&depth=1`).set(bearer(world.tokens.memberA)).expect(200);
      expect(shallow.body.nodes).toHaveLength(5);

      const history = await events(dieId, true);
      expect(history.map((e) => `${e.inherited ? 'inherited ' : ''}${e.type}`)).toEqual([
        'inherited registered',
        'inherited received',
        'inherited location_changed',
        'inherited custody_changed',
        'inherited process_step',
        'inherited split',
        'inherited registered',
        'inherited split',
        'registered',
      ]);
      expect((await http().get(`/api/v1/samples/${dieId}/lineage?direction=sideways`).set(bearer(world.tokens.staff))).status).toBe(400);
      expect((await http().get(`/api/v1/samples/${dieId}/lineage`).set(bearer(world.tokens.memberB))).status).toBe(404);
      expect((await http().get('/api/v1/samples/00000000-0000-4000-8000-000000000000/lineage').set(bearer(world.tokens.staff))).status).toBe(404);
    });

    it('combines samples of one owner into a new one and refuses mixed owners', async () => {
      const a = (await register(world.tokens.memberA, sampleBody({ form: 'powder', quantity: 2, unit: 'g' })).expect(201)).body;
      const b = (await register(world.tokens.memberA, sampleBody({ form: 'powder', quantity: 3, unit: 'g' })).expect(201)).body;
      const foreign = (await register(world.tokens.memberB, { ...sampleBody({ form: 'powder' }), projectId: world.projects.b.id }).expect(201)).body;
      for (const id of [a.id, b.id, foreign.id]) await receiveAndStore(id);
      const mixed = await http().post('/api/v1/samples/combine').set(bearer(world.tokens.staff)).send({ sampleIds: [a.id, foreign.id], name: 'mix' });
      expect(mixed.status).toBe(400);
      expect(mixed.body.errors).toEqual([{ field: 'sampleIds', message: 'samples of different owners cannot be combined' }]);
      const pooled = await http().post('/api/v1/samples/combine').set(bearer(world.tokens.staff)).send({ sampleIds: [a.id, b.id], name: 'Pooled batch P3' });
      expect(pooled.status).toBe(201);
      expect(pooled.body).toMatchObject({ state: 'received', quantity: 5, unit: 'g', organizationId: world.orgs.a.id });
      expect((await http().get(`/api/v1/samples/${a.id}`).set(bearer(world.tokens.staff))).body.state).toBe('consumed');
      const up = await http().get(`/api/v1/samples/${pooled.body.id}/lineage?direction=up`).set(bearer(world.tokens.memberA)).expect(200);
      expect(up.body.edges.map((e: { kind: string }) => e.kind)).toEqual(['combine', 'combine']);
    });
  });
});
