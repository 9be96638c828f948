import { Equipment } from '../src/equipment/equipment.entity';
import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (date: Date) => date.toISOString();

describe('recurring bookings', () => {
  let t: TestApp;
  let world: World;
  let tool: Equipment;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    tool = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(equipmentBody(world.centers.kns.id, 'WEEKLY-01')).expect(201)).body;
  });
  afterAll(() => t.close());

  const first = () => {
    const base = new Date(Date.now() + 2 * DAY);
    base.setUTCHours(1, 0, 0, 0);
    return base;
  };

  it('books the occurrences that are free and reports the ones that clash', async () => {
    const start = first();
    // Someone already holds the third week.
    await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberB)).send({ equipmentId: tool.id, projectId: world.projects.b.id, start: iso(new Date(start.getTime() + 14 * DAY)), end: iso(new Date(start.getTime() + 14 * DAY + HOUR)) }).expect(201);
    const res = await t.http().post('/api/v1/reservations/series').set(bearer(world.tokens.memberA)).send({
      equipmentId: tool.id,
      projectId: world.projects.a.id,
      start: iso(start),
      end: iso(new Date(start.getTime() + HOUR)),
      rrule: 'FREQ=WEEKLY;COUNT=4',
      purpose: 'Weekly XRD check of the reference sample',
    });
    expect(res.status).toBe(201);
    expect(res.body.booked).toHaveLength(3);
    expect(res.body.booked.every((r: { seriesId: string }) => r.seriesId === res.body.seriesId)).toBe(true);
    expect(res.body.conflicts).toEqual([expect.objectContaining({ start: iso(new Date(start.getTime() + 14 * DAY)), status: 409 })]);
  });

  it('cancels one occurrence alone, or the rest of the series', async () => {
    const start = new Date(first().getTime() + 4 * HOUR);
    const res = await t.http().post('/api/v1/reservations/series').set(bearer(world.tokens.memberA)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)), rrule: 'FREQ=DAILY;COUNT=5' });
    expect(res.body.booked).toHaveLength(5);
    const [one, two, three] = res.body.booked;
    await t.http().post(`/api/v1/reservations/${one.id}/cancel`).set(bearer(world.tokens.memberA)).send({}).expect(200);
    const rest = await t.http().post(`/api/v1/reservations/series/${res.body.seriesId}/cancel`).set(bearer(world.tokens.memberA)).send({ from: three.start, reason: 'Project paused' });
    expect(rest.body).toEqual({ cancelled: 3 });
    const statuses = await t.dataSource.query('SELECT status FROM reservations WHERE series_id = $1 ORDER BY start_at', [res.body.seriesId]);
    expect(statuses.map((r: { status: string }) => r.status)).toEqual(['cancelled', 'confirmed', 'cancelled', 'cancelled', 'cancelled']);
    expect(two.status).toBe('confirmed');
    expect((await t.http().post(`/api/v1/reservations/series/${res.body.seriesId}/cancel`).set(bearer(world.tokens.memberB)).send({})).status).toBe(404);
  });

  it('refuses a rule with no end or too many occurrences, naming rrule', async () => {
    const start = first();
    const body = { equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) };
    for (const rrule of ['FREQ=DAILY', 'FREQ=DAILY;COUNT=1000', 'FREQ=NEVER;COUNT=2']) {
      const res = await t.http().post('/api/v1/reservations/series').set(bearer(world.tokens.memberA)).send({ ...body, rrule });
      expect({ rrule, status: res.status }).toEqual({ rrule, status: 400 });
      expect(res.body.errors[0].field).toBe('rrule');
    }
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM reservation_series'))[0].n).toBe(2);
  });
});
