import { Equipment } from '../src/equipment/equipment.entity';
import { WaitlistService } from '../src/waitlist/waitlist.service';
import { bearer, equipmentBody, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { eventually } from './support/eventually';

const HOUR = 3_600_000;
const iso = (date: Date) => date.toISOString();

describe('waitlist', () => {
  let t: TestApp;
  let world: World;
  let tool: Equipment;
  let secondA: { id: string; token: string };

  beforeAll(async () => {
    t = await createTestApp({ worker: true });
    world = await seedWorld(t);
    tool = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(equipmentBody(world.centers.kns.id, 'WAIT-01')).expect(201)).body;
    const user = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'a2@alpha.test', password: PASSWORD, displayName: 'Second Alpha', role: 'member', organizationId: world.orgs.a.id }).expect(201);
    secondA = { id: user.body.id, token: t.tokenFor(user.body.id, 'member') };
  });
  afterAll(() => t.close());

  const slot = (days: number) => {
    const base = new Date(Date.now() + days * 24 * HOUR);
    base.setUTCHours(2, 0, 0, 0);
    return base;
  };
  const entry = (id: string) => t.http().get(`/api/v1/waitlist/${id}`).set(bearer(world.tokens.staff));

  it('offers freed time to the first in line, who books it', async () => {
    const start = slot(3);
    const taken = await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberB)).send({ equipmentId: tool.id, projectId: world.projects.b.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) });
    expect(taken.status).toBe(201);
    const first = await t.http().post('/api/v1/waitlist').set(bearer(world.tokens.memberA)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) });
    const second = await t.http().post('/api/v1/waitlist').set(bearer(secondA.token)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) });
    expect([first.status, first.body.status, second.body.status]).toEqual([201, 'waiting', 'waiting']);

    await t.http().post(`/api/v1/reservations/${taken.body.id}/cancel`).set(bearer(world.tokens.memberB)).send({}).expect(200);
    const offered = await eventually(async () => {
      const res = await entry(first.body.id);
      return res.body.status === 'offered' && res.body;
    });
    expect(new Date(offered.offeredStart).getTime()).toBe(start.getTime());
    expect((await entry(second.body.id)).body.status).toBe('waiting');
    await eventually(async () => (await t.dataSource.query(`SELECT 1 FROM sent_mails WHERE recipient = 'a@alpha.test' AND subject LIKE '%waited%'`))[0]);

    expect((await t.http().post(`/api/v1/waitlist/${first.body.id}/accept`).set(bearer(world.tokens.memberB))).status).toBe(404);
    expect((await t.http().post(`/api/v1/waitlist/${first.body.id}/accept`).set(bearer(secondA.token))).status).toBe(403);
    const booked = await t.http().post(`/api/v1/waitlist/${first.body.id}/accept`).set(bearer(world.tokens.memberA));
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ equipmentId: tool.id, userId: world.users.memberA.id, status: 'confirmed' });
    expect((await entry(first.body.id)).body).toMatchObject({ status: 'booked', reservationId: booked.body.id });
  });

  it('passes an offer nobody took in time to the next in line', async () => {
    const start = slot(5);
    const taken = await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberB)).send({ equipmentId: tool.id, projectId: world.projects.b.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) });
    const first = await t.http().post('/api/v1/waitlist').set(bearer(world.tokens.memberA)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) });
    const second = await t.http().post('/api/v1/waitlist').set(bearer(secondA.token)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) });
    await t.http().post(`/api/v1/reservations/${taken.body.id}/cancel`).set(bearer(world.tokens.memberB)).send({}).expect(200);
    await eventually(async () => (await entry(first.body.id)).body.status === 'offered');

    const expired = await t.app.get(WaitlistService).expireOffers(new Date(Date.now() + 61 * 60_000));
    expect(expired).toBe(1);
    expect((await entry(first.body.id)).body.status).toBe('expired');
    // The expiry sweep runs "an hour later": the second in line's offer is measured from then.
    expect((await entry(second.body.id)).body.status).toBe('offered');
    const late = await t.http().post(`/api/v1/waitlist/${first.body.id}/accept`).set(bearer(world.tokens.memberA));
    expect(late.status).toBe(422);
  });

  it('offers at once when the time is already free, and lets people withdraw', async () => {
    const start = slot(7);
    const res = await t.http().post('/api/v1/waitlist').set(bearer(world.tokens.memberA)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + 4 * HOUR)), minutes: 90 });
    expect(res.body.status).toBe('offered');
    expect(new Date(res.body.offeredEnd).getTime() - new Date(res.body.offeredStart).getTime()).toBe(90 * 60_000);
    const withdrawn = await t.http().delete(`/api/v1/waitlist/${res.body.id}`).set(bearer(world.tokens.memberA));
    expect(withdrawn.body.status).toBe('withdrawn');
  });

  it('refuses bad input naming the field', async () => {
    const start = slot(8);
    const base = { equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, end: iso(new Date(start.getTime() - HOUR)) }, 'end'],
      [{ ...base, minutes: 120 }, 'minutes'],
      [{ ...base, equipmentId: '00000000-0000-4000-8000-000000000000' }, 'equipmentId'],
      [{ ...base, projectId: world.projects.b.id }, 'projectId'],
      [{ ...base, start: '2026-12-01 09:00' }, 'start'],
      [{ ...base, end: '2026-13-45T10:00:00Z' }, 'end'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().post('/api/v1/waitlist').set(bearer(world.tokens.memberA)).send(body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.errors[0].field).toBe(field);
    }
  });
});
