import { Equipment } from '../src/equipment/equipment.entity';
import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Midnight in Tokyo (the KNS center's zone), `days` days from today there. */
function tokyoMidnight(days: number): Date {
  const tokyo = new Date(Date.now() + days * DAY + 9 * HOUR);
  return new Date(Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth(), tokyo.getUTCDate()) - 9 * HOUR);
}

const iso = (date: Date) => date.toISOString();

describe('equipment availability', () => {
  let t: TestApp;
  let world: World;
  let tool: Equipment;
  const day = tokyoMidnight(3);
  const at = (hours: number) => new Date(day.getTime() + hours * HOUR); // hours after midnight JST
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    const body = equipmentBody(world.centers.kns.id, 'AVAIL-01');
    body.policy = {
      ...body.policy,
      slotMinutes: 30,
      minMinutes: 60,
      maxMinutes: 240,
      bufferMinutes: 30,
      bookableHours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '18:00' }],
    } as never;
    tool = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(body).expect(201)).body;

    const book = (token: string, projectId: string, start: Date, end: Date, extra: Record<string, unknown> = {}) =>
      t.http().post('/api/v1/reservations').set(bearer(token)).send({ equipmentId: tool.id, projectId, start: iso(start), end: iso(end), purpose: 'secret recipe', ...extra }).expect(201);
    // Stored as 10:00–11:30 and 14:00–15:30 (30-minute clean-down); maintenance 16:30–17:00 has none.
    ids.a = (await book(world.tokens.memberA, world.projects.a.id, at(10), at(11))).body.id;
    ids.b = (await book(world.tokens.memberB, world.projects.b.id, at(14), at(15))).body.id;
    ids.maintenance = (
      await t.http().post('/api/v1/reservations').set(bearer(world.tokens.staff)).send({ equipmentId: tool.id, kind: 'maintenance', start: iso(at(16.5)), end: iso(at(17)), reason: 'chamber clean' }).expect(201)
    ).body.id;
    const cancelled = (await book(world.tokens.memberA, world.projects.a.id, at(12), at(13))).body.id;
    await t.http().post(`/api/v1/reservations/${cancelled}/cancel`).set(bearer(world.tokens.memberA)).send({}).expect(200);
  });
  afterAll(() => t.close());

  const availability = (token: string, query: Record<string, string | number>, id = tool.id) =>
    t.http().get(`/api/v1/equipment/${id}/availability`).query(query).set(bearer(token));
  const wholeDay = () => ({ from: iso(day), to: iso(at(24)) });

  it('shows busy periods with the clean-down buffer, and another organization’s only as times, kind and status', async () => {
    const res = await availability(world.tokens.memberA, wholeDay());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ equipmentId: tool.id, timezone: 'Asia/Tokyo', from: iso(day), to: iso(at(24)) });
    expect(res.body.busy).toEqual([
      { start: iso(at(10)), end: iso(at(11.5)), kind: 'booking', status: 'confirmed', mine: true, reservationId: ids.a },
      { start: iso(at(14)), end: iso(at(15.5)), kind: 'booking', status: 'confirmed', mine: false },
      { start: iso(at(16.5)), end: iso(at(17)), kind: 'maintenance', status: 'confirmed', mine: false },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(ids.b);
    expect(JSON.stringify(res.body)).not.toContain('secret recipe');

    const asB = await availability(world.tokens.memberB, wholeDay());
    expect(asB.body.busy.map((b: { mine: boolean; reservationId?: string }) => [b.mine, b.reservationId])).toEqual([
      [false, undefined],
      [true, ids.b],
      [false, undefined],
    ]);
    const asStaff = await availability(world.tokens.staff, wholeDay());
    expect(asStaff.body.busy.map((b: { mine: boolean; reservationId?: string }) => [b.mine, b.reservationId])).toEqual([
      [false, ids.a],
      [false, ids.b],
      [true, ids.maintenance],
    ]);
  });

  it('lists free intervals that keep the bookable hours and clear every busy period by the buffer', async () => {
    const res = await availability(world.tokens.memberA, wholeDay());
    // 09:00–09:30 is too short for 60 minutes; 15:30–16:00 too, before the maintenance window.
    expect(res.body.free).toEqual([
      { start: iso(at(11.5)), end: iso(at(13.5)) },
      { start: iso(at(17)), end: iso(at(18)) },
    ]);
    const longer = await availability(world.tokens.memberA, { ...wholeDay(), duration: 120 });
    expect(longer.body.free).toEqual([{ start: iso(at(11.5)), end: iso(at(13.5)) }]);

    // Every free interval really books: its first slot, then one clashing with its buffer is refused.
    const booked = await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberB)).send({ equipmentId: tool.id, projectId: world.projects.b.id, start: iso(at(17)), end: iso(at(18)) });
    expect(booked.status).toBe(201);
    const clash = await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberA)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(at(12.5)), end: iso(at(14)) });
    expect(clash.status).toBe(409);
    const after = await availability(world.tokens.memberA, wholeDay());
    expect(after.body.free).toEqual([{ start: iso(at(11.5)), end: iso(at(13.5)) }]);
    await t.http().post(`/api/v1/reservations/${booked.body.id}/cancel`).set(bearer(world.tokens.memberB)).send({}).expect(200);
  });

  it('clips busy periods and free intervals to the window', async () => {
    const res = await availability(world.tokens.memberA, { from: iso(at(10.5)), to: iso(at(14.5)) });
    expect(res.body.busy.map((b: { start: string; end: string }) => [b.start, b.end])).toEqual([
      [iso(at(10.5)), iso(at(11.5))],
      [iso(at(14)), iso(at(14.5))],
    ]);
    expect(res.body.free).toEqual([{ start: iso(at(11.5)), end: iso(at(13.5)) }]);
    const offsets = await availability(world.tokens.memberA, { from: '2020-01-01T09:00:00+09:00', to: '2020-01-02T09:00:00+09:00' });
    expect(offsets.body).toMatchObject({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z', busy: [], free: [] });
  });

  it('offers nothing free while the equipment is down', async () => {
    await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ status: 'down', statusReason: 'RF generator fault' }).expect(200);
    const res = await availability(world.tokens.memberA, wholeDay());
    expect(res.body.free).toEqual([]);
    expect(res.body.busy).toHaveLength(3);
    await t.http().patch(`/api/v1/equipment/${tool.id}`).set(bearer(world.tokens.staff)).send({ status: 'available', statusReason: 'Repaired' }).expect(200);
  });

  it('refuses bad input with 400 naming the field, an unknown tool with 404', async () => {
    const cases: [Record<string, string | number>, string][] = [
      [{ to: iso(at(24)) }, 'from'],
      [{ from: iso(day) }, 'to'],
      [{ ...wholeDay(), from: '2026-12-01T09:00:00' }, 'from'],
      [{ ...wholeDay(), to: 'tomorrow' }, 'to'],
      [{ ...wholeDay(), from: '2026-13-45T09:00:00+09:00' }, 'from'],
      [{ from: iso(at(12)), to: iso(at(12)) }, 'to'],
      [{ from: iso(at(12)), to: iso(at(11)) }, 'to'],
      [{ from: iso(day), to: iso(new Date(day.getTime() + 63 * DAY)) }, 'to'],
      [{ ...wholeDay(), duration: 45 }, 'duration'],
      [{ ...wholeDay(), duration: 30 }, 'duration'],
      [{ ...wholeDay(), duration: 300 }, 'duration'],
      [{ ...wholeDay(), duration: 'long' }, 'duration'],
      [{ ...wholeDay(), colour: 'red' }, 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await availability(world.tokens.memberA, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await availability(world.tokens.memberA, { from: iso(day), to: iso(new Date(day.getTime() + 62 * DAY)) })).status).toBe(200);

    const unknown = await availability(world.tokens.memberA, wholeDay(), '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const malformed = await availability(world.tokens.memberA, wholeDay(), 'not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    expect((await t.http().get(`/api/v1/equipment/${tool.id}/availability`).query(wholeDay())).status).toBe(401);
  });

  it('is documented in the OpenAPI description', async () => {
    const docs = await t.http().get('/docs-json').expect(200);
    const operation = docs.body.paths['/api/v1/equipment/{id}/availability']?.get;
    expect(operation.tags).toEqual(['equipment']);
    expect(operation.description).toMatch(/clean-down buffer/);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});
