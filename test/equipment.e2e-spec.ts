import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

describe('equipment catalogue', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  it('creates equipment with names, rates and a booking policy, and lists it by code', async () => {
    const body = { ...equipmentBody(world.centers.kns.id, 'XPS-01'), nameJa: 'X線光電子分光装置', nameEn: 'XPS', remoteCapable: true, location: 'Analysis lab 3' };
    body.policy = { ...body.policy, bookableHours: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }], allowCrossingClosedHours: true, maxHoursPerOrganizationPerWeek: 20 } as never;
    const res = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: 'XPS-01', status: 'available', remoteCapable: true, rates: body.rates, policy: body.policy, centerId: world.centers.kns.id });
    expect(res.body.createdAt).toMatch(/Z$/);

    const list = await t.http().get(`/api/v1/equipment?centerId=${world.centers.kns.id}`).set(bearer(world.tokens.memberA));
    const codes = list.body.items.map((e: { code: string }) => e.code);
    expect(codes).toEqual([...codes].sort());
    expect(codes).toContain('XPS-01');
    expect(list.body.items.find((e: { code: string }) => e.code === 'XPS-01').policy).toEqual(body.policy);
    const search = await t.http().get('/api/v1/equipment?q=光電子').set(bearer(world.tokens.memberA));
    expect(search.body.items.map((e: { code: string }) => e.code)).toEqual(['XPS-01']);
    const analysis = await t.http().get('/api/v1/equipment?kind=analysis&category=microscopy').set(bearer(world.tokens.memberA));
    expect(analysis.body.items.every((e: { kind: string; category: string }) => e.kind === 'analysis' && e.category === 'microscopy')).toBe(true);
  });

  it('refuses a duplicate code in the same center with 409 naming the field, but allows it in another center', async () => {
    const again = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.admin)).send(equipmentBody(world.centers.kns.id, world.tools[0].code));
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: 'code', message: 'this center already has equipment with this code' }]);
    const elsewhere = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.admin)).send(equipmentBody(world.centers.kyu.id, world.tools[0].code));
    expect(elsewhere.status).toBe(201);
  });

  it('names every bad field, nested policy fields included, and stores nothing', async () => {
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM equipment');
    const body = {
      ...equipmentBody(world.centers.kns.id, 'bad code!'),
      kind: 'spaceship',
      nameEn: 'x'.repeat(201),
      rates: { academic: -1, industry: 'lots', venture: 1.5 },
      policy: { slotMinutes: 0, minMinutes: 30, maxMinutes: 240, leadMinutes: 0, horizonDays: 30, bufferMinutes: 0, requiresApproval: 'yes', cancellationHours: 24, bookableHours: [{ days: [8], start: '25:00', end: '18:00' }] },
      extra: true,
    };
    const res = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.admin)).send(body);
    expect(res.status).toBe(400);
    const fields = new Set(res.body.errors.map((e: { field: string }) => e.field));
    for (const field of ['code', 'kind', 'nameEn', 'rates.academic', 'rates.industry', 'rates.venture', 'policy.slotMinutes', 'policy.requiresApproval', 'policy.bookableHours[0].days', 'policy.bookableHours[0].start', 'extra']) {
      expect(fields).toContain(field);
    }
    const after = await t.dataSource.query('SELECT count(*)::int AS n FROM equipment');
    expect(after[0].n).toBe(before[0].n);
  });

  it('checks the policy across fields', async () => {
    const body = equipmentBody(world.centers.kns.id, 'POL-01');
    body.policy = { ...body.policy, slotMinutes: 30, minMinutes: 45, maxMinutes: 20 };
    const res = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.admin)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['policy.minMinutes', 'policy.minMinutes', 'policy.maxMinutes']);
  });

  it('refuses an unknown center as a bad field, not a 500', async () => {
    const res = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.admin)).send(equipmentBody('00000000-0000-4000-8000-000000000000', 'NOPE-1'));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('centerId');
  });

  it('keeps every status change with who, when and why', async () => {
    const tool = world.tools[1];
    const noReason = await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ status: 'down' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('statusReason');

    const down = await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ status: 'down', statusReason: 'Chamber leak at the load lock' });
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('down');
    await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ status: 'maintenance', statusReason: 'O-ring replaced, bake-out running' }).expect(200);
    await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.admin)).send({ status: 'available', statusReason: 'Leak check passed' }).expect(200);

    const history = await t.http().get(`/api/v1/equipment/${tool.id}/status-history`).set(bearer(world.tokens.memberA));
    expect(history.status).toBe(200);
    expect(history.body.items.map((h: { fromStatus: string; toStatus: string }) => `${h.fromStatus}->${h.toStatus}`)).toEqual([
      'maintenance->available',
      'down->maintenance',
      'available->down',
      'null->available',
    ]);
    expect(history.body.items[2]).toMatchObject({ reason: 'Chamber leak at the load lock', changedBy: world.users.staff.id });

    const filtered = await t.http().get('/api/v1/equipment?status=available').set(bearer(world.tokens.admin));
    expect(filtered.body.items.map((e: { id: string }) => e.id)).toContain(tool.id);
    const audit = await t.http().get(`/api/v1/audit?entity=equipment&id=${tool.id}`).set(bearer(world.tokens.admin));
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['status_change', 'status_change', 'status_change', 'create']);
    expect(audit.body.items[2]).toMatchObject({ before: { status: 'available' }, after: { status: 'down' }, actorId: world.users.staff.id });
  });

  it('answers an unknown equipment id with 404 and a bad status with 400', async () => {
    expect((await t.http().get('/api/v1/equipment/00000000-0000-4000-8000-000000000000').set(bearer(world.tokens.admin))).status).toBe(404);
    const bad = await t.http().patch(`/api/v1/equipment/${world.tools[0].id}`).set(bearer(world.tokens.admin)).send({ status: 'broken', statusReason: 'because' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('status');
    const centerMove = await t.http().patch(`/api/v1/equipment/${world.tools[0].id}`).set(bearer(world.tokens.admin)).send({ centerId: world.centers.kyu.id });
    expect(centerMove.status).toBe(400);
    expect(centerMove.body.errors[0].field).toBe('centerId');
  });
});
