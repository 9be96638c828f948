import { Equipment } from '../src/equipment/equipment.entity';
import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const iso = (date: Date) => date.toISOString();

/** A whole hour at least `days` ahead. */
function at(days: number, hours = 0): Date {
  const base = new Date(Date.now() + days * 24 * HOUR);
  base.setUTCMinutes(0, 0, 0);
  return new Date(base.getTime() + HOUR + hours * HOUR);
}

describe('runs: multi-step foundry flows booked atomically', () => {
  let t: TestApp;
  let world: World;
  let litho: Equipment;
  let etch: Equipment;
  let anneal: Equipment;

  const tool = async (code: string, bufferMinutes: number) => {
    const body = equipmentBody(world.centers.kns.id, code);
    body.policy = { ...body.policy, bufferMinutes, maxMinutes: 600 };
    return (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(body).expect(201)).body as Equipment;
  };
  const run = (body: Record<string, unknown>, token = world.tokens.memberA) => t.http().post('/api/v1/runs').set(bearer(token)).send({ projectId: world.projects.a.id, ...body });
  const count = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM reservations'))[0].n as number;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    litho = await tool('R-LITHO', 0);
    etch = await tool('R-ETCH', 30);
    anneal = await tool('R-ANNEAL', 0);
  });
  afterAll(() => t.close());

  it('books every step at the given times in one transaction', async () => {
    const s = at(3);
    const res = await run({
      purpose: 'Gate module',
      steps: [
        { equipmentId: litho.id, start: iso(s), end: iso(new Date(s.getTime() + HOUR)) },
        { equipmentId: etch.id, start: iso(new Date(s.getTime() + 2 * HOUR)), end: iso(new Date(s.getTime() + 3 * HOUR)) },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('scheduled');
    expect(res.body.steps.map((step: { runStep: number; equipmentId: string }) => [step.runStep, step.equipmentId])).toEqual([[0, litho.id], [1, etch.id]]);
    const fetched = await t.http().get(`/api/v1/runs/${res.body.id}`).set(bearer(world.tokens.memberA));
    expect(fetched.body.steps).toHaveLength(2);
    expect((await t.http().get(`/api/v1/runs/${res.body.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
  });

  it('books none of the steps when one conflicts, and names the step', async () => {
    const s = at(4);
    await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberB)).send({ equipmentId: anneal.id, projectId: world.projects.b.id, start: iso(new Date(s.getTime() + 2 * HOUR)), end: iso(new Date(s.getTime() + 3 * HOUR)) }).expect(201);
    const before = await count();
    const res = await run({
      steps: [
        { equipmentId: litho.id, start: iso(s), end: iso(new Date(s.getTime() + HOUR)) },
        { equipmentId: anneal.id, start: iso(new Date(s.getTime() + 2 * HOUR)), end: iso(new Date(s.getTime() + 4 * HOUR)) },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].field).toBe('steps[1]');
    expect(await count()).toBe(before);
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM runs'))[0].n).toBe(1);
  });

  it('places steps as early as possible from a time, respecting gaps, buffers and existing bookings', async () => {
    const s = at(6);
    // Etch is busy right when the run would want it; its 30-minute clean-down follows.
    await t.http().post('/api/v1/reservations').set(bearer(world.tokens.memberB)).send({ equipmentId: etch.id, projectId: world.projects.b.id, start: iso(new Date(s.getTime() + HOUR)), end: iso(new Date(s.getTime() + 2 * HOUR)) }).expect(201);
    const res = await run({
      earliestStart: iso(s),
      steps: [
        { equipmentId: litho.id, minutes: 60 },
        { equipmentId: etch.id, minutes: 60, gapMinutes: 0 },
        { equipmentId: anneal.id, minutes: 120, gapMinutes: 30 },
      ],
    });
    expect(res.status).toBe(201);
    const times = res.body.steps.map((step: { start: string; end: string }) => [new Date(step.start).getTime() - s.getTime(), new Date(step.end).getTime() - s.getTime()]);
    expect(times).toEqual([
      [0, HOUR],
      [2 * HOUR + 30 * MINUTE, 3 * HOUR + 30 * MINUTE], // after the other booking and its clean-down
      [4 * HOUR, 6 * HOUR], // 30 minutes after the etch step
    ]);
  });

  it('refuses malformed runs with 400 naming the field, and a run that cannot fit with 422', async () => {
    const s = at(8);
    const mixed = await run({ earliestStart: iso(s), steps: [{ equipmentId: litho.id, start: iso(s), end: iso(new Date(s.getTime() + HOUR)) }] });
    expect(mixed.status).toBe(400);
    const backwards = await run({ steps: [{ equipmentId: litho.id, start: iso(s), end: iso(new Date(s.getTime() + HOUR)) }, { equipmentId: etch.id, start: iso(new Date(s.getTime() - HOUR)), end: iso(s) }] });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('steps[1].start');
    const impossible = await run({ steps: [{ equipmentId: litho.id, start: '2026-12-99T09:00:00Z', end: iso(s) }] });
    expect(impossible.status).toBe(400);
    expect(impossible.body.errors[0].field).toBe('steps[0].start');
    const unknown = await run({ steps: [{ equipmentId: '00000000-0000-4000-8000-000000000000', start: iso(s), end: iso(new Date(s.getTime() + HOUR)) }] });
    expect(unknown.body.errors[0].field).toBe('steps[0].equipmentId');
    const tooLong = await run({ earliestStart: iso(s), steps: [{ equipmentId: litho.id, minutes: 900 }] });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors[0].field).toBe('steps[0]');
    const otherOrg = await run({ projectId: world.projects.b.id, steps: [{ equipmentId: litho.id, start: iso(s), end: iso(new Date(s.getTime() + HOUR)) }] });
    expect(otherOrg.status).toBe(400);
    expect(otherOrg.body.errors[0].field).toBe('projectId');
  });

  it('derives the run status from its steps', async () => {
    const s = at(10);
    const res = await run({ steps: [{ equipmentId: litho.id, start: iso(s), end: iso(new Date(s.getTime() + HOUR)) }, { equipmentId: anneal.id, start: iso(new Date(s.getTime() + HOUR)), end: iso(new Date(s.getTime() + 2 * HOUR)) }] });
    for (const step of res.body.steps) await t.http().post(`/api/v1/reservations/${step.id}/cancel`).set(bearer(world.tokens.memberA)).send({}).expect(200);
    const cancelled = await t.http().get(`/api/v1/runs/${res.body.id}`).set(bearer(world.tokens.memberA));
    expect(cancelled.body.status).toBe('cancelled');
  });
});
