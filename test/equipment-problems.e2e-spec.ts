import { SendMailJob } from '../src/infra/queue/queue-name';
import { renderMail } from '../src/mail/mail-templates';
import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

interface ProblemBody {
  id: string;
  equipmentId: string;
  reportedBy?: string | null;
  organizationId?: string | null;
  description: string;
  urgency: string;
  safetyHazard: boolean;
  status: string;
  forcesShutdown: boolean;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('equipment problems', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  const report = (token: string, equipmentId: string, body: object) => t.http().post(`/api/v1/equipment/${equipmentId}/problems`).set(bearer(token)).send(body);
  const shutdown = (token: string, equipmentId: string, problemId: string) => t.http().post(`/api/v1/equipment/${equipmentId}/problems/${problemId}/shutdown`).set(bearer(token)).send();
  const resolve = (token: string, equipmentId: string, problemId: string, resolution = 'Fixed and checked') =>
    t.http().post(`/api/v1/equipment/${equipmentId}/problems/${problemId}/resolve`).set(bearer(token)).send({ resolution });
  const statusOf = async (equipmentId: string) => (await t.http().get(`/api/v1/equipment/${equipmentId}`).set(bearer(world.tokens.admin))).body.status as string;
  const history = async (equipmentId: string) =>
    (await t.http().get(`/api/v1/equipment/${equipmentId}/status-history`).set(bearer(world.tokens.admin))).body.items as { fromStatus: string; toStatus: string; reason: string; changedBy: string }[];
  const problemMails = async () =>
    (await t.dataSource.query(`SELECT payload, job_name AS "jobName", queue FROM outbox WHERE payload->>'template' = 'equipment-problem' ORDER BY created_at`)) as { payload: SendMailJob; jobName: string; queue: string }[];

  it('lets a member report a problem on any tool and records who reported it', async () => {
    const res = await report(world.tokens.memberA, world.tools[2].id, { description: 'Stage drifts by 2 µm per minute', urgency: 'normal' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      equipmentId: world.tools[2].id,
      reportedBy: world.users.memberA.id,
      organizationId: world.orgs.a.id,
      description: 'Stage drifts by 2 µm per minute',
      urgency: 'normal',
      safetyHazard: false,
      status: 'open',
      forcesShutdown: false,
      resolution: null,
      resolvedBy: null,
      resolvedAt: null,
    });
    expect(res.body.createdAt).toMatch(/Z$/);
    // Reporting alone does not take the tool out of service.
    expect(await statusOf(world.tools[2].id)).toBe('available');
    const audit = await t.http().get(`/api/v1/audit?entity=equipment_problem&id=${res.body.id}`).set(bearer(world.tokens.admin));
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['create']);
  });

  it('names every bad field and stores nothing', async () => {
    const count = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM equipment_problems'))[0].n as number;
    const before = await count();
    const tooLong = await report(world.tokens.memberA, world.tools[0].id, { description: 'x'.repeat(4001), urgency: 'critical', safetyHazard: 'yes', extra: 1 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['description', 'urgency', 'safetyHazard', 'extra']));
    const empty = await report(world.tokens.memberA, world.tools[0].id, { description: '', urgency: 'low' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((e: { field: string }) => e.field)).toEqual(['description']);
    const missing = await report(world.tokens.memberA, world.tools[0].id, {});
    expect(new Set(missing.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['description', 'urgency']));
    expect(await count()).toBe(before);

    const badFilter = await t.http().get(`/api/v1/equipment/${world.tools[0].id}/problems?status=broken`).set(bearer(world.tokens.memberA));
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.errors[0].field).toBe('status');
    const badId = await report(world.tokens.memberA, 'not-a-uuid', { description: 'x', urgency: 'low' });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('id');
  });

  it('answers an unknown tool, and a problem of another tool, with 404', async () => {
    expect((await report(world.tokens.memberA, UNKNOWN, { description: 'Where is it?', urgency: 'low' })).status).toBe(404);
    expect((await t.http().get(`/api/v1/equipment/${UNKNOWN}/problems`).set(bearer(world.tokens.memberA))).status).toBe(404);
    const problem = await report(world.tokens.memberA, world.tools[1].id, { description: 'Noisy pump', urgency: 'low' });
    expect((await shutdown(world.tokens.admin, world.tools[0].id, problem.body.id)).status).toBe(404);
    expect((await resolve(world.tokens.admin, world.tools[0].id, problem.body.id)).status).toBe(404);
    expect((await shutdown(world.tokens.admin, world.tools[1].id, UNKNOWN)).status).toBe(404);
  });

  it('lets only staff of the tool’s center (or an admin) force a shutdown or resolve', async () => {
    const problem = await report(world.tokens.memberA, world.kyuTool.id, { description: 'Beam current unstable', urgency: 'high' });
    expect(problem.status).toBe(201);
    const byMember = await shutdown(world.tokens.memberA, world.kyuTool.id, problem.body.id);
    expect(byMember.status).toBe(403);
    const byOtherStaff = await shutdown(world.tokens.staff, world.kyuTool.id, problem.body.id);
    expect(byOtherStaff.status).toBe(403);
    expect((await resolve(world.tokens.staff, world.kyuTool.id, problem.body.id)).status).toBe(403);
    expect((await resolve(world.tokens.memberA, world.kyuTool.id, problem.body.id)).status).toBe(403);
    expect(await statusOf(world.kyuTool.id)).toBe('available');

    const byAdmin = await shutdown(world.tokens.admin, world.kyuTool.id, problem.body.id);
    expect(byAdmin.status).toBe(200);
    expect(await statusOf(world.kyuTool.id)).toBe('down');
    expect((await resolve(world.tokens.admin, world.kyuTool.id, problem.body.id)).status).toBe(200);
    expect(await statusOf(world.kyuTool.id)).toBe('available');
  });

  it('takes the tool down on a forced shutdown and returns it to service once no open problem forces one', async () => {
    const tool = world.tools[0];
    const description = `Exhaust interlock trips repeatedly. ${'Details of the trip log. '.repeat(12)}`;
    expect(description.length).toBeGreaterThan(200);
    const first = await report(world.tokens.memberA, tool.id, { description, urgency: 'high', safetyHazard: true });
    const second = await report(world.tokens.memberB, tool.id, { description: 'Chiller alarm', urgency: 'normal' });
    const minor = await report(world.tokens.memberB, tool.id, { description: 'Label worn off', urgency: 'low' });

    const down = await shutdown(world.tokens.staff, tool.id, first.body.id);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ id: first.body.id, forcesShutdown: true, status: 'open' });
    expect(await statusOf(tool.id)).toBe('down');
    const afterDown = await history(tool.id);
    expect(afterDown[0]).toMatchObject({ fromStatus: 'available', toStatus: 'down', reason: `problem reported: ${description.slice(0, 200)}`, changedBy: world.users.staff.id });
    expect((await shutdown(world.tokens.staff, tool.id, first.body.id)).status).toBe(422);

    // A second shutdown-forcing problem keeps the tool down without another status change.
    expect((await shutdown(world.tokens.staff, tool.id, second.body.id)).status).toBe(200);
    expect(await history(tool.id)).toHaveLength(afterDown.length);

    const firstResolved = await resolve(world.tokens.staff, tool.id, first.body.id, 'Interlock sensor replaced');
    expect(firstResolved.status).toBe(200);
    expect(firstResolved.body).toMatchObject({ status: 'resolved', resolution: 'Interlock sensor replaced', resolvedBy: world.users.staff.id, forcesShutdown: true });
    expect(firstResolved.body.resolvedAt).toMatch(/Z$/);
    expect(await statusOf(tool.id)).toBe('down');

    const twice = await resolve(world.tokens.staff, tool.id, first.body.id);
    expect(twice.status).toBe(422);
    expect(twice.body.type).toMatch(/invalid-transition$/);
    expect((await shutdown(world.tokens.staff, tool.id, first.body.id)).status).toBe(422);

    // Resolving a problem that never forced a shutdown changes nothing on the tool.
    expect((await resolve(world.tokens.staff, tool.id, minor.body.id, 'New label')).status).toBe(200);
    expect(await statusOf(tool.id)).toBe('down');

    expect((await resolve(world.tokens.admin, tool.id, second.body.id, 'Chiller refilled')).status).toBe(200);
    expect(await statusOf(tool.id)).toBe('available');
    const afterResolve = await history(tool.id);
    expect(afterResolve).toHaveLength(afterDown.length + 1);
    expect(afterResolve[0]).toMatchObject({ fromStatus: 'down', toStatus: 'available', reason: 'problem resolved: Chiller refilled', changedBy: world.users.admin.id });

    const problemAudit = await t.http().get(`/api/v1/audit?entity=equipment_problem&id=${first.body.id}`).set(bearer(world.tokens.admin));
    expect(problemAudit.body.items.map((a: { action: string }) => a.action)).toEqual(['resolve', 'shutdown', 'create']);
    const equipmentAudit = await t.http().get(`/api/v1/audit?entity=equipment&id=${tool.id}`).set(bearer(world.tokens.admin));
    expect(equipmentAudit.body.items.map((a: { action: string }) => a.action)).toEqual(['status_change', 'status_change', 'create']);

    const open = await t.http().get(`/api/v1/equipment/${tool.id}/problems?status=open`).set(bearer(world.tokens.staff));
    expect(open.body.items).toEqual([]);
    const resolved = await t.http().get(`/api/v1/equipment/${tool.id}/problems?status=resolved`).set(bearer(world.tokens.staff));
    expect(resolved.body.items.map((p: ProblemBody) => p.id).sort()).toEqual([first.body.id, second.body.id, minor.body.id].sort());
  });

  it('shows every problem to every caller, but not who reported another organization’s', async () => {
    const tool = world.tools[1];
    const byA = await report(world.tokens.memberA, tool.id, { description: 'Door seal cracked', urgency: 'normal' });
    const byB = await report(world.tokens.memberB, tool.id, { description: 'Software crashes on export', urgency: 'low' });
    const byStaff = await report(world.tokens.staff, tool.id, { description: 'Quarterly check overdue', urgency: 'low' });
    expect(byStaff.body).toMatchObject({ reportedBy: world.users.staff.id, organizationId: null });

    const seenBy = async (token: string) => {
      const res = await t.http().get(`/api/v1/equipment/${tool.id}/problems`).set(bearer(token));
      expect(res.status).toBe(200);
      return new Map((res.body.items as ProblemBody[]).map((p) => [p.id, p]));
    };
    const forB = await seenBy(world.tokens.memberB);
    const aSeenByB = forB.get(byA.body.id)!;
    expect(aSeenByB).toMatchObject({ description: 'Door seal cracked', urgency: 'normal', status: 'open' });
    expect(aSeenByB).not.toHaveProperty('reportedBy');
    expect(aSeenByB).not.toHaveProperty('organizationId');
    expect(forB.get(byStaff.body.id)).not.toHaveProperty('reportedBy');
    expect(forB.get(byB.body.id)).toMatchObject({ reportedBy: world.users.memberB.id, organizationId: world.orgs.b.id });

    const forA = await seenBy(world.tokens.memberA);
    expect(forA.get(byA.body.id)).toMatchObject({ reportedBy: world.users.memberA.id, organizationId: world.orgs.a.id });
    expect(forA.get(byB.body.id)).not.toHaveProperty('reportedBy');

    const forStaff = await seenBy(world.tokens.staff);
    expect(forStaff.get(byA.body.id)).toMatchObject({ reportedBy: world.users.memberA.id, organizationId: world.orgs.a.id });
    expect(forStaff.get(byB.body.id)).toMatchObject({ reportedBy: world.users.memberB.id, organizationId: world.orgs.b.id });

    // The views after staff actions hide nothing from staff.
    const down = await shutdown(world.tokens.staff, tool.id, byA.body.id);
    expect(down.body).toMatchObject({ reportedBy: world.users.memberA.id });
    await resolve(world.tokens.staff, tool.id, byA.body.id);
  });

  it('pages through the history newest first', async () => {
    const created = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(equipmentBody(world.centers.kns.id, 'PAGE-01'));
    const tool = created.body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await report(world.tokens.memberA, tool, { description: `Problem ${i}`, urgency: 'low' })).body.id);

    const seen: ProblemBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.http().get(`/api/v1/equipment/${tool}/problems?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).set(bearer(world.tokens.memberB));
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((p) => p.id).sort()).toEqual([...ids].sort());
    // Newest first; reports within one millisecond follow each other by id.
    const keys = seen.map((p) => `${p.createdAt} ${p.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('mails a reported safety hazard to the center’s contact address through the outbox', async () => {
    // A hazard on a center without a contact address, and a non-hazard, send nothing.
    expect((await report(world.tokens.memberA, world.tools[2].id, { description: 'Sparks from the heater', urgency: 'high', safetyHazard: true })).status).toBe(201);
    expect(await problemMails()).toEqual([]);

    const center = await t.http().patch(`/api/v1/centers/${world.centers.kyu.id}`).set(bearer(world.tokens.admin)).send({ contactEmail: 'safety@kyu.example.jp' });
    expect(center.status).toBe(200);
    const created = await t.http().post('/api/v1/equipment').set(bearer(world.tokens.admin)).send(equipmentBody(world.centers.kyu.id, 'HAZ-01'));
    expect(created.status).toBe(201);
    const tool = created.body;
    expect((await report(world.tokens.memberB, tool.id, { description: 'Display flickers', urgency: 'low' })).status).toBe(201);
    expect(await problemMails()).toEqual([]);

    const hazard = await report(world.tokens.memberB, tool.id, { description: 'Gas smell near the exhaust line', urgency: 'high', safetyHazard: true });
    expect(hazard.status).toBe(201);
    expect(hazard.body.safetyHazard).toBe(true);
    const mails = await problemMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ jobName: 'send-mail', queue: 'mail' });
    expect(mails[0].payload).toMatchObject({
      to: 'safety@kyu.example.jp',
      template: 'equipment-problem',
      data: { equipment: `HAZ-01 ${tool.nameEn}`, equipmentId: tool.id, problemId: hazard.body.id, urgency: 'high', safetyHazard: 'yes', description: 'Gas smell near the exhaust line' },
    });
    const mail = renderMail(mails[0].payload, 'http://hub.test');
    expect(mail.subject).toContain('HAZ-01');
    expect(mail.subject).toContain('Safety hazard');
    expect(mail.text).toContain('Gas smell near the exhaust line');
    expect(mail.text).toContain(`http://hub.test/api/v1/equipment/${tool.id}/problems`);
  });
});
