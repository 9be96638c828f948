import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { SYSTEM_ACTOR } from '../src/common/auth/actor';
import { Equipment } from '../src/equipment/equipment.entity';
import { JobName, QueueName } from '../src/infra/queue/queue-name';
import { ReservationsService } from '../src/reservations/reservations.service';
import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

/** A future time on the half-hour grid, `hours` after the next whole hour, `days` from now. */
function slot(days: number, hours = 0): Date {
  const base = new Date(Date.now() + days * 24 * HOUR);
  base.setUTCMinutes(0, 0, 0);
  return new Date(base.getTime() + HOUR + hours * HOUR);
}

/** The next weekday (Tue–Thu, JST) at the given JST hour, at least `minDays` ahead. */
function weekdayJst(minDays: number, hourJst: number): Date {
  for (let d = minDays; ; d++) {
    const day = new Date(Date.now() + d * 24 * HOUR);
    const jst = new Date(day.getTime() + 9 * HOUR);
    if ([2, 3, 4].includes(jst.getUTCDay())) {
      return new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate(), hourJst - 9, 0, 0));
    }
  }
}

const iso = (date: Date) => date.toISOString();

describe('reservations', () => {
  let t: TestApp;
  let world: World;
  let free: Equipment; // no qualification, no approval, 15 min clean-down
  let ald: Equipment; // demo ALD: approval required, qualification required

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    const body = equipmentBody(world.centers.kns.id, 'OPEN-01');
    body.policy = { ...body.policy, bufferMinutes: 15, maxMinutes: 600 };
    free = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(body).expect(201)).body;
    ald = world.tools.find((tool) => tool.code === 'ALD-01')!;
  });
  afterAll(() => t.close());

  const book = (token: string, body: Record<string, unknown>) => t.http().post('/api/v1/reservations').set(bearer(token)).send(body);
  const booking = (equipmentId: string, start: Date, end: Date, extra: Record<string, unknown> = {}) => ({
    equipmentId,
    projectId: world.projects.a.id,
    start: iso(start),
    end: iso(end),
    ...extra,
  });

  it('books free equipment, stores the clean-down buffer, and keeps it within the organization', async () => {
    const start = slot(2);
    const res = await book(world.tokens.memberA, booking(free.id, start, new Date(start.getTime() + HOUR), { purpose: 'Thin-film XRD scan' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'confirmed', kind: 'booking', mode: 'self', userId: world.users.memberA.id, organizationId: world.orgs.a.id });
    expect(new Date(res.body.start).getTime()).toBe(start.getTime());
    expect(res.body).not.toHaveProperty('period'); // the stored range is internal
    const [row] = await t.dataSource.query('SELECT upper(period) AS until FROM reservations WHERE id = $1', [res.body.id]);
    expect(new Date(row.until).getTime()).toBe(start.getTime() + HOUR + 15 * 60_000);

    expect((await t.http().get(`/api/v1/reservations/${res.body.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
    const listB = await t.http().get(`/api/v1/reservations?equipmentId=${free.id}`).set(bearer(world.tokens.memberB));
    expect(listB.body.items).toEqual([]);
    const listA = await t.http().get(`/api/v1/reservations?equipmentId=${free.id}`).set(bearer(world.tokens.memberA));
    expect(listA.body.items.map((r: { id: string }) => r.id)).toContain(res.body.id);
  });

  it('answers an overlap with 409 naming the clashing period, and the holder only to those who may see it', async () => {
    const start = slot(3);
    const first = await book(world.tokens.memberA, booking(free.id, start, new Date(start.getTime() + 2 * HOUR)));
    expect(first.status).toBe(201);
    const clash = await book(world.tokens.memberB, { ...booking(free.id, new Date(start.getTime() + HOUR), new Date(start.getTime() + 3 * HOUR)), projectId: world.projects.b.id });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain(start.toISOString());
    expect(clash.body.conflicts[0]).toEqual({ start: iso(start), end: iso(new Date(start.getTime() + 2 * HOUR)), blockedUntil: iso(new Date(start.getTime() + 2 * HOUR + 15 * 60_000)) });
    const asStaff = await book(world.tokens.staff, { ...booking(free.id, start, new Date(start.getTime() + HOUR)), userId: world.users.memberB.id, projectId: world.projects.b.id });
    expect(asStaff.status).toBe(409);
    expect(asStaff.body.conflicts[0].reservationId).toBe(first.body.id);
  });

  it('keeps the clean-down buffer free: back-to-back is refused, after the buffer is fine', async () => {
    const start = slot(4);
    const end = new Date(start.getTime() + HOUR);
    expect((await book(world.tokens.memberA, booking(free.id, start, end))).status).toBe(201);
    const backToBack = await book(world.tokens.memberA, booking(free.id, end, new Date(end.getTime() + HOUR)));
    expect(backToBack.status).toBe(409);
    expect(backToBack.body.detail).toMatch(/clean-down/);
    const afterBuffer = new Date(end.getTime() + 30 * 60_000);
    expect((await book(world.tokens.memberA, booking(free.id, afterBuffer, new Date(afterBuffer.getTime() + HOUR)))).status).toBe(201);
  });

  it('creates exactly one of many concurrent overlapping bookings, more than the connection pool holds', async () => {
    const start = slot(5);
    const attempts = await Promise.all(
      Array.from({ length: 100 }, (_, i) => book(world.tokens.memberA, booking(free.id, new Date(start.getTime() + (i % 3) * 30 * 60_000), new Date(start.getTime() + 2 * HOUR)))),
    );
    const statuses = attempts.map((res) => res.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
  });

  it('refuses bad input with 400 naming the field, and changes nothing', async () => {
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM reservations');
    const start = slot(6);
    const cases: [Record<string, unknown>, string][] = [
      [booking(free.id, start, new Date(start.getTime() - HOUR)), 'end'],
      [booking(free.id, start, start), 'end'],
      [{ ...booking(free.id, start, new Date(start.getTime() + HOUR)), start: '2026-12-01T09:00:00' }, 'start'],
      [{ ...booking(free.id, start, new Date(start.getTime() + HOUR)), end: 'tomorrow' }, 'end'],
      [{ ...booking(free.id, start, new Date(start.getTime() + HOUR)), start: '2026-02-30T09:00:00+09:00' }, 'start'],
      [booking('00000000-0000-4000-8000-000000000000', start, new Date(start.getTime() + HOUR)), 'equipmentId'],
      [{ ...booking(free.id, start, new Date(start.getTime() + HOUR)), projectId: world.projects.b.id }, 'projectId'],
      [{ ...booking(free.id, start, new Date(start.getTime() + HOUR)), mode: 'telepathic' }, 'mode'],
    ];
    for (const [body, field] of cases) {
      const res = await book(world.tokens.memberA, body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const forOther = await book(world.tokens.memberA, { ...booking(free.id, start, new Date(start.getTime() + HOUR)), userId: world.users.memberB.id });
    expect(forOther.status).toBe(403);
    const after = await t.dataSource.query('SELECT count(*)::int AS n FROM reservations');
    expect(after[0].n).toBe(before[0].n);
  });

  it('runs the policy chain: each refusal is a 422 naming the rule; staff may override with a reason', async () => {
    const start = slot(7);
    const offGrid = await book(world.tokens.memberA, booking(free.id, new Date(start.getTime() + 10 * 60_000), new Date(start.getTime() + HOUR)));
    expect(offGrid.status).toBe(422);
    expect(offGrid.body.rules.map((r: { rule: string }) => r.rule)).toContain('slot-granularity');

    const tooLong = await book(world.tokens.memberA, booking(free.id, start, new Date(start.getTime() + 11 * HOUR)));
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.rules.map((r: { rule: string }) => r.rule)).toEqual(['maximum-duration']);

    const tooFar = await book(world.tokens.memberA, booking(free.id, slot(45), slot(45, 1)));
    expect(tooFar.body.rules.map((r: { rule: string }) => r.rule)).toEqual(['horizon']);

    const mla = world.tools.find((tool) => tool.code === 'MLA-01')!;
    const monday = weekdayJst(3, 10);
    const unqualified = await book(world.tokens.memberA, booking(mla.id, monday, new Date(monday.getTime() + HOUR)));
    expect(unqualified.status).toBe(422);
    expect(unqualified.body.rules).toEqual([expect.objectContaining({ rule: 'qualification', overridable: true })]);
    const assisted = await book(world.tokens.memberA, booking(mla.id, monday, new Date(monday.getTime() + HOUR), { mode: 'assisted' }));
    expect(assisted.status).toBe(201);

    const night = weekdayJst(3, 22);
    const closed = await book(world.tokens.memberA, booking(mla.id, night, new Date(night.getTime() + HOUR), { mode: 'assisted' }));
    expect(closed.body.rules.map((r: { rule: string }) => r.rule)).toEqual(['bookable-hours']);
    const assistedList = await t.http().get(`/api/v1/reservations?equipmentId=${mla.id}&mode=assisted`).set(bearer(world.tokens.staff));
    expect(assistedList.body.items.map((r: { id: string }) => r.id)).toContain(assisted.body.id);
    const forced = await book(world.tokens.staff, { ...booking(mla.id, night, new Date(night.getTime() + HOUR), { mode: 'assisted' }), userId: world.users.memberA.id, force: true, reason: 'Overnight run agreed with the client' });
    expect(forced.status).toBe(201);
    expect(forced.body.overrides).toEqual([{ rule: 'bookable-hours', reason: 'Overnight run agreed with the client', by: world.users.staff.id }]);
    const memberForce = await book(world.tokens.memberA, { ...booking(mla.id, weekdayJst(3, 23), new Date(weekdayJst(3, 23).getTime() + HOUR), { mode: 'assisted' }), force: true, reason: 'please' });
    expect(memberForce.status).toBe(422);

    await t.http().patch(`/api/v1/equipment/${free.id}`).set(bearer(world.tokens.staff)).send({ status: 'down', statusReason: 'Vacuum pump failure' }).expect(200);
    const down = await book(world.tokens.staff, { ...booking(free.id, slot(8), slot(8, 1)), userId: world.users.memberA.id, force: true, reason: 'try anyway' });
    expect(down.status).toBe(422);
    expect(down.body.rules).toEqual([expect.objectContaining({ rule: 'equipment-status', overridable: false })]);
    await t.http().patch(`/api/v1/equipment/${free.id}`).set(bearer(world.tokens.staff)).send({ status: 'available', statusReason: 'Pump replaced' }).expect(200);
  });

  it('needs approval where the equipment says so, and allows only the lifecycle transitions', async () => {
    await t.dataSource.query(
      `INSERT INTO qualifications (user_id, organization_id, equipment_id, level, granted_by) VALUES ($1, $2, $3, 'user', $4)`,
      [world.users.memberA.id, world.orgs.a.id, ald.id, world.users.staff.id],
    );
    const start = slot(9);
    const res = await book(world.tokens.memberA, booking(ald.id, start, new Date(start.getTime() + 2 * HOUR)));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    const id = res.body.id;
    expect((await t.http().post(`/api/v1/reservations/${id}/approve`).set(bearer(world.tokens.memberA)).send({})).status).toBe(403);
    const approved = await t.http().post(`/api/v1/reservations/${id}/approve`).set(bearer(world.tokens.staff)).send({});
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('confirmed');
    const again = await t.http().post(`/api/v1/reservations/${id}/approve`).set(bearer(world.tokens.staff)).send({});
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ currentStatus: 'confirmed', allowedActions: ['cancel', 'check-in', 'no-show'] });
    const checkOut = await t.http().post(`/api/v1/reservations/${id}/check-out`).set(bearer(world.tokens.memberA)).send({});
    expect(checkOut.status).toBe(422);

    const cancelled = await t.http().post(`/api/v1/reservations/${id}/cancel`).set(bearer(world.tokens.memberA)).send({ reason: 'Samples not ready' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', lateCancellation: false, statusReason: 'Samples not ready' });
    const approveCancelled = await t.http().post(`/api/v1/reservations/${id}/approve`).set(bearer(world.tokens.staff)).send({});
    expect(approveCancelled.status).toBe(422);
    expect(approveCancelled.body.detail).toMatch(/Cannot approve a cancelled reservation/);

    const pending = await book(world.tokens.memberA, booking(ald.id, start, new Date(start.getTime() + 2 * HOUR)));
    expect(pending.status).toBe(201);
    const noReason = await t.http().post(`/api/v1/reservations/${pending.body.id}/reject`).set(bearer(world.tokens.staff)).send({});
    expect(noReason.status).toBe(400);
    const rejected = await t.http().post(`/api/v1/reservations/${pending.body.id}/reject`).set(bearer(world.tokens.staff)).send({ reason: 'Chamber reserved for a clean run' });
    expect(rejected.body.status).toBe('rejected');

    const events = await t.dataSource.query(`SELECT payload->>'event' AS event FROM outbox WHERE payload->>'reservationId' = $1 ORDER BY created_at`, [id]);
    expect(events.map((e: { event: string }) => e.event)).toEqual(['reservation.created', 'reservation.confirmed', 'reservation.cancelled']);
  });

  it('records a cancellation inside the cancellation window as late', async () => {
    const start = slot(0, 2);
    const res = await book(world.tokens.memberA, booking(free.id, start, new Date(start.getTime() + HOUR)));
    expect(res.status).toBe(201);
    const cancelled = await t.http().post(`/api/v1/reservations/${res.body.id}/cancel`).set(bearer(world.tokens.memberA)).send({});
    expect(cancelled.body).toMatchObject({ status: 'cancelled', lateCancellation: true });
  });

  it('keeps used time apart from booked time: check-in opens a usage, check-out closes it', async () => {
    const start = new Date(Math.ceil(Date.now() / (30 * 60_000)) * 30 * 60_000);
    const res = await book(world.tokens.memberA, booking(free.id, start, new Date(start.getTime() + HOUR)));
    expect(res.status).toBe(201);
    const id = res.body.id;
    const checkedIn = await t.http().post(`/api/v1/reservations/${id}/check-in`).set(bearer(world.tokens.memberA)).send({});
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body.status).toBe('in_use');
    const open = await t.http().get(`/api/v1/reservations/${id}/usages`).set(bearer(world.tokens.memberA));
    expect(open.body).toHaveLength(1);
    expect(open.body[0].endedAt).toBeNull();
    await expect(
      t.dataSource.query(`INSERT INTO reservation_usages (reservation_id, equipment_id, started_at) VALUES ($1, $2, now())`, [id, free.id]),
    ).rejects.toThrow(/uq_reservation_usages_open/);
    const done = await t.http().post(`/api/v1/reservations/${id}/check-out`).set(bearer(world.tokens.memberA)).send({});
    expect(done.body.status).toBe('completed');
    const closed = await t.http().get(`/api/v1/reservations/${id}/usages`).set(bearer(world.tokens.memberA));
    expect(closed.body[0].endedAt).not.toBeNull();
    expect(closed.body[0].checkedOutBy).toBe(world.users.memberA.id);
  });

  it('moves a booking atomically: a conflicting move keeps the old slot', async () => {
    const start = slot(10);
    const mine = await book(world.tokens.memberA, booking(free.id, start, new Date(start.getTime() + HOUR)));
    const other = await book(world.tokens.memberA, booking(free.id, new Date(start.getTime() + 3 * HOUR), new Date(start.getTime() + 4 * HOUR)));
    expect([mine.status, other.status]).toEqual([201, 201]);
    const conflicting = await t.http().patch(`/api/v1/reservations/${mine.body.id}`).set(bearer(world.tokens.memberA)).send({ start: iso(new Date(start.getTime() + 2.5 * HOUR)), end: iso(new Date(start.getTime() + 3.5 * HOUR)) });
    expect(conflicting.status).toBe(409);
    const kept = await t.http().get(`/api/v1/reservations/${mine.body.id}`).set(bearer(world.tokens.memberA));
    expect(new Date(kept.body.start).getTime()).toBe(start.getTime());
    const moved = await t.http().patch(`/api/v1/reservations/${mine.body.id}`).set(bearer(world.tokens.memberA)).send({ end: iso(new Date(start.getTime() + 2 * HOUR)) });
    expect(moved.status).toBe(200);
    expect(new Date(moved.body.end).getTime()).toBe(start.getTime() + 2 * HOUR);
    const [row] = await t.dataSource.query('SELECT upper(period) AS until FROM reservations WHERE id = $1', [mine.body.id]);
    expect(new Date(row.until).getTime()).toBe(start.getTime() + 2 * HOUR + 15 * 60_000);
  });

  it('counts the weekly organization quota under a lock: two concurrent bookings cannot both pass', async () => {
    const body = equipmentBody(world.centers.kns.id, 'QUOTA-01');
    body.policy = { ...body.policy, maxHoursPerOrganizationPerWeek: 1 } as never;
    const quota = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(body).expect(201)).body;
    const day = weekdayJst(3, 10);
    const results = await Promise.all([
      book(world.tokens.memberA, booking(quota.id, day, new Date(day.getTime() + HOUR))),
      book(world.tokens.memberA, booking(quota.id, new Date(day.getTime() + 2 * HOUR), new Date(day.getTime() + 3 * HOUR))),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(results.find((r) => r.status === 422)!.body.rules[0].rule).toBe('organization-weekly-hours');
  });

  it('lets staff plan maintenance windows under the same constraint', async () => {
    const start = slot(12);
    const member = await book(world.tokens.memberA, { equipmentId: free.id, kind: 'maintenance', start: iso(start), end: iso(new Date(start.getTime() + 4 * HOUR)) });
    expect(member.status).toBe(403);
    const window = await book(world.tokens.staff, { equipmentId: free.id, kind: 'maintenance', start: iso(start), end: iso(new Date(start.getTime() + 4 * HOUR)), purpose: 'Annual chamber clean' });
    expect(window.status).toBe(201);
    expect(window.body).toMatchObject({ kind: 'maintenance', status: 'confirmed', projectId: null });
    const during = await book(world.tokens.memberA, booking(free.id, new Date(start.getTime() + HOUR), new Date(start.getTime() + 2 * HOUR)));
    expect(during.status).toBe(409);
  });
});

describe('reservations: overruns, maintenance over bookings, no-shows', () => {
  let t: TestApp;
  let world: World;
  let tool: Equipment;

  beforeAll(async () => {
    t = await createTestApp({ worker: true });
    world = await seedWorld(t);
    tool = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(equipmentBody(world.centers.kns.id, 'RUN-01')).expect(201)).body;
  });
  afterAll(() => t.close());

  const book = (start: Date, end: Date) =>
    t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberA)).send({ equipmentId: tool.id, projectId: world.projects.a.id, start: iso(start), end: iso(end) });

  it('extends a session in use, but never into the next booking', async () => {
    const start = new Date(Math.ceil(Date.now() / (30 * 60_000)) * 30 * 60_000);
    const current = await book(start, new Date(start.getTime() + HOUR));
    const next = await book(new Date(start.getTime() + 2 * HOUR), new Date(start.getTime() + 3 * HOUR));
    expect([current.status, next.status]).toEqual([201, 201]);
    await t.http().post(`/api/v1/reservations/${current.body.id}/check-in`).set(bearer(world.tokens.memberA)).send({}).expect(200);
    const overrun = await t.http().patch(`/api/v1/reservations/${current.body.id}`).set(bearer(world.tokens.memberA)).send({ end: iso(new Date(start.getTime() + 2.5 * HOUR)) });
    expect(overrun.status).toBe(409);
    expect(overrun.body.detail).toContain(iso(new Date(start.getTime() + 2 * HOUR)));
    const extended = await t.http().patch(`/api/v1/reservations/${current.body.id}`).set(bearer(world.tokens.memberA)).send({ end: iso(new Date(start.getTime() + 1.5 * HOUR)) });
    expect(extended.status).toBe(200);
    expect(extended.body.status).toBe('in_use');
    const moveStart = await t.http().patch(`/api/v1/reservations/${current.body.id}`).set(bearer(world.tokens.memberA)).send({ start: iso(new Date(start.getTime() + HOUR)) });
    expect(moveStart.status).toBe(422);
  });

  it('lists the bookings a maintenance window would hit, and cancels them only when forced with a reason', async () => {
    const start = slot(14);
    const victim = await book(start, new Date(start.getTime() + HOUR));
    expect(victim.status).toBe(201);
    const window = { equipmentId: tool.id, kind: 'maintenance', start: iso(new Date(start.getTime() - HOUR)), end: iso(new Date(start.getTime() + 3 * HOUR)) };
    const refused = await t.http().post('/api/v1/reservations').set(bearer(world.tokens.staff)).send(window);
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts).toEqual([{ reservationId: victim.body.id, start: iso(start), end: iso(new Date(start.getTime() + HOUR)) }]);
    expect((await t.http().post('/api/v1/reservations').set(bearer(world.tokens.staff)).send({ ...window, force: true })).status).toBe(400);
    const forced = await t.http().post('/api/v1/reservations').set(bearer(world.tokens.staff)).send({ ...window, force: true, reason: 'Gas line inspection' });
    expect(forced.status).toBe(201);
    const cancelled = await t.http().get(`/api/v1/reservations/${victim.body.id}`).set(bearer(world.tokens.memberA));
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'maintenance: Gas line inspection', lateCancellation: false });
    const events = await t.dataSource.query(`SELECT payload->>'event' AS event FROM outbox WHERE payload->>'reservationId' = $1 ORDER BY created_at`, [victim.body.id]);
    expect(events.map((e: { event: string }) => e.event)).toEqual(['reservation.confirmed', 'reservation.cancelled']);
  });

  it('marks bookings nobody checked in to as no-shows after the grace period, on a schedule', async () => {
    const start = slot(15);
    const missed = await book(start, new Date(start.getTime() + HOUR));
    const attended = await book(new Date(start.getTime() + 2 * HOUR), new Date(start.getTime() + 3 * HOUR));
    // As if the booked times had come: move both into the past, beyond the 15-minute grace.
    for (const [id, hoursAgo] of [[missed.body.id, 2], [attended.body.id, 1]] as const) {
      await t.dataSource.query(
        `UPDATE reservations SET start_at = now() - make_interval(hours => $2), end_at = now() - make_interval(hours => $2) + interval '30 minutes',
           period = tstzrange(now() - make_interval(hours => $2), now() - make_interval(hours => $2) + interval '30 minutes') WHERE id = $1`,
        [id, hoursAgo],
      );
    }
    await t.dataSource.query(`INSERT INTO reservation_usages (reservation_id, equipment_id, started_at, ended_at) VALUES ($1, $2, now() - interval '1 hour', now() - interval '40 minutes')`, [attended.body.id, tool.id]);
    const marked = await t.app.get(ReservationsService).markNoShows(SYSTEM_ACTOR, new Date());
    expect(marked).toBe(1);
    const [a, b] = await Promise.all([missed, attended].map((r) => t.http().get(`/api/v1/reservations/${r.body.id}`).set(bearer(world.tokens.staff))));
    expect(a.body.status).toBe('no_show');
    expect(b.body.status).toBe('confirmed');
    const schedulers = await (t.app.get(getQueueToken(QueueName.Scheduled)) as Queue).getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain(JobName.NoShowSweep);
  });
});
