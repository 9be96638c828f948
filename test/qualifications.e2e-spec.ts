import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '../src/common/auth/actor';
import { QualificationsService } from '../src/qualifications/qualifications.service';
import { UsersService } from '../src/users/users.service';
import { bearer, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 24 * 3600 * 1000;

/** An ISO 8601 date-time with a +09:00 offset, `days` from now. */
function inDays(days: number): string {
  const local = new Date(Date.now() + days * DAY + 9 * 3600 * 1000);
  return local.toISOString().replace(/\.\d{3}Z$/, '+09:00');
}

describe('qualifications', () => {
  let t: TestApp;
  let world: World;
  let service: QualificationsService;
  /** Extra members of A, so each scenario has its own user × tool pair. */
  const extra: Record<'a2' | 'a3' | 'a4' | 'inactive', { id: string }> = {} as never;

  const grant = (token: string, body: object) => t.http().post('/api/v1/qualifications').set(bearer(token)).send(body);
  const count = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM qualifications'))[0].n as number;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    service = t.app.get(QualificationsService);
    const users = t.app.get(UsersService);
    for (const key of ['a2', 'a3', 'a4', 'inactive'] as const) {
      extra[key] = await users.create(SYSTEM_ACTOR, { email: `${key}@alpha.test`, password: PASSWORD, displayName: `Alpha ${key}`, role: 'member', organizationId: world.orgs.a.id });
    }
    await users.update(SYSTEM_ACTOR, extra.inactive.id, { active: false });
  });
  afterAll(() => t.close());

  it('lets staff of the tool’s center grant, copying the user’s organization and the granter', async () => {
    const expiresAt = inDays(365);
    const res = await grant(world.tokens.staff, { userId: world.users.memberA.id, equipmentId: world.tools[0].id, level: 'user', expiresAt });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId: world.users.memberA.id,
      equipmentId: world.tools[0].id,
      organizationId: world.orgs.a.id,
      level: 'user',
      grantedBy: world.users.staff.id,
      revokedAt: null,
    });
    expect(new Date(res.body.expiresAt).getTime()).toBe(new Date(expiresAt).getTime());
    expect(res.body.id).toEqual(expect.any(String));
    expect(res.body.createdAt).toEqual(expect.any(String));

    const again = await t.http().get(`/api/v1/qualifications/${res.body.id}`).set(bearer(world.tokens.memberA));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
  });

  it('refuses members with 403 and staff of another center with 403, and writes nothing', async () => {
    const before = await count();
    const member = await grant(world.tokens.memberA, { userId: world.users.memberA.id, equipmentId: world.tools[1].id, level: 'user' });
    expect(member.status).toBe(403);
    expect(member.headers['content-type']).toMatch(/problem\+json/);
    const otherCenter = await grant(world.tokens.staff, { userId: world.users.memberA.id, equipmentId: world.kyuTool.id, level: 'user' });
    expect(otherCenter.status).toBe(403);
    expect(await count()).toBe(before);

    const admin = await grant(world.tokens.admin, { userId: world.users.memberA.id, equipmentId: world.kyuTool.id, level: 'supervised' });
    expect(admin.status).toBe(201);
  });

  it('answers 400 naming userId or equipmentId for an unknown or deactivated user and an unknown tool', async () => {
    const before = await count();
    const noUser = await grant(world.tokens.staff, { userId: randomUUID(), equipmentId: world.tools[1].id, level: 'user' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.errors.map((e: { field: string }) => e.field)).toEqual(['userId']);
    const noTool = await grant(world.tokens.staff, { userId: world.users.memberA.id, equipmentId: randomUUID(), level: 'user' });
    expect(noTool.status).toBe(400);
    expect(noTool.body.errors.map((e: { field: string }) => e.field)).toEqual(['equipmentId']);
    const neither = await grant(world.tokens.admin, { userId: randomUUID(), equipmentId: randomUUID(), level: 'user' });
    expect(neither.status).toBe(400);
    expect(neither.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['equipmentId', 'userId']);
    const inactive = await grant(world.tokens.staff, { userId: extra.inactive.id, equipmentId: world.tools[1].id, level: 'user' });
    expect(inactive.status).toBe(400);
    expect(inactive.body.errors).toEqual([{ field: 'userId', message: expect.stringMatching(/deactivated/) }]);
    const badLevel = await grant(world.tokens.staff, { userId: 'nope', equipmentId: world.tools[1].id, level: 'expert' });
    expect(badLevel.status).toBe(400);
    expect(badLevel.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['level', 'userId']);
    expect(await count()).toBe(before);
  });

  it('refuses a second active qualification of the same user on the same tool with 409 naming equipmentId', async () => {
    const first = await grant(world.tokens.staff, { userId: extra.a2.id, equipmentId: world.tools[1].id, level: 'user' });
    expect(first.status).toBe(201);
    const before = await count();
    const second = await grant(world.tokens.admin, { userId: extra.a2.id, equipmentId: world.tools[1].id, level: 'trainer' });
    expect(second.status).toBe(409);
    expect(second.body.errors).toEqual([{ field: 'equipmentId', message: 'this user already holds an active qualification on this equipment' }]);
    expect(await count()).toBe(before);
  });

  it('refuses an expiresAt in the past or without an offset with 400 naming expiresAt', async () => {
    const before = await count();
    for (const expiresAt of [inDays(-1), '2099-01-01T00:00:00', '2099-01-01', 'next year', '2099-02-30T00:00:00Z']) {
      const res = await grant(world.tokens.staff, { userId: extra.a3.id, equipmentId: world.tools[2].id, level: 'user', expiresAt });
      expect({ expiresAt, status: res.status }).toEqual({ expiresAt, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('expiresAt');
      expect(res.body.errors.every((e: { field: string }) => e.field === 'expiresAt')).toBe(true);
    }
    const past = await grant(world.tokens.staff, { userId: extra.a3.id, equipmentId: world.tools[2].id, level: 'user', expiresAt: inDays(-1) });
    expect(past.body.errors).toEqual([{ field: 'expiresAt', message: 'must be in the future' }]);
    expect(await count()).toBe(before);

    const utc = await grant(world.tokens.staff, { userId: extra.a3.id, equipmentId: world.tools[2].id, level: 'user', expiresAt: '2099-01-01T00:00:00Z' });
    expect(utc.status).toBe(201);
  });

  it('shows a member only their organization’s qualifications and answers 404 for another organization’s', async () => {
    const ofB = await grant(world.tokens.staff, { userId: world.users.memberB.id, equipmentId: world.tools[0].id, level: 'user' });
    expect(ofB.status).toBe(201);
    expect(ofB.body.organizationId).toBe(world.orgs.b.id);

    const listA = await t.http().get('/api/v1/qualifications?limit=500').set(bearer(world.tokens.memberA));
    expect(listA.status).toBe(200);
    expect(listA.body.items.length).toBeGreaterThan(0);
    expect(listA.body.items.every((q: { organizationId: string }) => q.organizationId === world.orgs.a.id)).toBe(true);
    const aimedAtB = await t.http().get(`/api/v1/qualifications?userId=${world.users.memberB.id}`).set(bearer(world.tokens.memberA));
    expect(aimedAtB.body.items).toEqual([]);

    const hidden = await t.http().get(`/api/v1/qualifications/${ofB.body.id}`).set(bearer(world.tokens.memberA));
    expect(hidden.status).toBe(404);
    expect(hidden.headers['content-type']).toMatch(/problem\+json/);
    const own = await t.http().get(`/api/v1/qualifications/${ofB.body.id}`).set(bearer(world.tokens.memberB));
    expect(own.status).toBe(200);
    const staff = await t.http().get(`/api/v1/qualifications?userId=${world.users.memberB.id}`).set(bearer(world.tokens.staff));
    expect(staff.body.items.map((q: { id: string }) => q.id)).toEqual([ofB.body.id]);

    const malformed = await t.http().get('/api/v1/qualifications/not-a-uuid').set(bearer(world.tokens.memberA));
    expect(malformed.status).toBe(400);
    const badFilter = await t.http().get('/api/v1/qualifications?active=maybe&equipmentId=x').set(bearer(world.tokens.memberA));
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['active', 'equipmentId']);
  });

  it('pages through the list in creation order with nextCursor', async () => {
    const all = await t.http().get('/api/v1/qualifications?limit=500').set(bearer(world.tokens.admin));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.http().get('/api/v1/qualifications').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(bearer(world.tokens.admin));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((q: { id: string }) => q.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((q: { id: string }) => q.id));
    const created = all.body.items.map((q: { createdAt: string }) => q.createdAt);
    expect([...created].sort()).toEqual(created);
  });

  it('revokes: the row is answered with revokedAt, drops out of active=true, and a new grant is then allowed', async () => {
    const granted = await grant(world.tokens.staff, { userId: extra.a4.id, equipmentId: world.tools[2].id, level: 'trainer' });
    expect(granted.status).toBe(201);
    const id = granted.body.id as string;

    const byMember = await t.http().delete(`/api/v1/qualifications/${id}`).set(bearer(world.tokens.memberA));
    expect(byMember.status).toBe(403);
    const kyu = await t.http().get(`/api/v1/qualifications?equipmentId=${world.kyuTool.id}`).set(bearer(world.tokens.admin));
    const byOtherCenter = await t.http().delete(`/api/v1/qualifications/${kyu.body.items[0].id}`).set(bearer(world.tokens.staff));
    expect(byOtherCenter.status).toBe(403);

    const revoked = await t.http().delete(`/api/v1/qualifications/${id}`).set(bearer(world.tokens.staff));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, userId: extra.a4.id, level: 'trainer' });
    expect(new Date(revoked.body.revokedAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    const twice = await t.http().delete(`/api/v1/qualifications/${id}`).set(bearer(world.tokens.staff));
    expect(twice.status).toBe(422);

    const active = await t.http().get(`/api/v1/qualifications?userId=${extra.a4.id}&active=true`).set(bearer(world.tokens.staff));
    expect(active.body.items).toEqual([]);
    const inactive = await t.http().get(`/api/v1/qualifications?userId=${extra.a4.id}&active=false`).set(bearer(world.tokens.staff));
    expect(inactive.body.items.map((q: { id: string }) => q.id)).toEqual([id]);

    const renewed = await grant(world.tokens.staff, { userId: extra.a4.id, equipmentId: world.tools[2].id, level: 'user' });
    expect(renewed.status).toBe(201);
    const nowActive = await t.http().get(`/api/v1/qualifications?userId=${extra.a4.id}&active=true`).set(bearer(world.tokens.memberA));
    expect(nowActive.body.items.map((q: { id: string }) => q.id)).toEqual([renewed.body.id]);
    const unknown = await t.http().delete(`/api/v1/qualifications/${randomUUID()}`).set(bearer(world.tokens.staff));
    expect(unknown.status).toBe(404);
  });

  it('counts an expired qualification as inactive in the list', async () => {
    const granted = await grant(world.tokens.staff, { userId: extra.a2.id, equipmentId: world.tools[0].id, level: 'user', expiresAt: inDays(30) });
    expect(granted.status).toBe(201);
    await t.dataSource.query(`UPDATE qualifications SET expires_at = now() - interval '1 hour' WHERE id = $1`, [granted.body.id]);
    const active = await t.http().get(`/api/v1/qualifications?userId=${extra.a2.id}&active=true`).set(bearer(world.tokens.staff));
    expect(active.body.items.map((q: { equipmentId: string }) => q.equipmentId)).toEqual([world.tools[1].id]);
    const inactive = await t.http().get(`/api/v1/qualifications?userId=${extra.a2.id}&active=false`).set(bearer(world.tokens.staff));
    expect(inactive.body.items.map((q: { id: string }) => q.id)).toEqual([granted.body.id]);

    // Renewal after expiry: the expired one is closed and the new one is the active one.
    const renewed = await grant(world.tokens.staff, { userId: extra.a2.id, equipmentId: world.tools[0].id, level: 'trainer', expiresAt: inDays(365) });
    expect(renewed.status).toBe(201);
    const closed = await t.http().get(`/api/v1/qualifications/${granted.body.id}`).set(bearer(world.tokens.staff));
    expect(closed.body.revokedAt).not.toBeNull();
  });

  it('findValid respects expiry and revocation', async () => {
    const user = world.users.memberB.id;
    const tool = world.tools[2].id;
    expect(await service.findValid(user, tool, new Date())).toBeNull();

    const expiring = await grant(world.tokens.staff, { userId: user, equipmentId: tool, level: 'user', expiresAt: inDays(10) });
    expect(expiring.status).toBe(201);
    expect((await service.findValid(user, tool, new Date()))?.id).toBe(expiring.body.id);
    expect((await service.findValid(user, tool, new Date(Date.now() + 9 * DAY)))?.id).toBe(expiring.body.id);
    expect(await service.findValid(user, tool, new Date(Date.now() + 11 * DAY))).toBeNull();
    expect(await service.findValid(user, world.tools[1].id, new Date())).toBeNull();

    await t.http().delete(`/api/v1/qualifications/${expiring.body.id}`).set(bearer(world.tokens.staff)).expect(200);
    expect(await service.findValid(user, tool, new Date())).toBeNull();

    const open = await grant(world.tokens.staff, { userId: user, equipmentId: tool, level: 'supervised' });
    expect(open.status).toBe(201);
    const found = await service.findValid(user, tool, new Date(Date.now() + 3650 * DAY));
    expect(found).toMatchObject({ id: open.body.id, level: 'supervised', expiresAt: null, revokedAt: null });
  });

  it('records create and revoke in the audit trail, and the chains verify', async () => {
    const granted = await grant(world.tokens.staff, { userId: world.users.memberB.id, equipmentId: world.tools[1].id, level: 'user' });
    expect(granted.status).toBe(201);
    await t.http().delete(`/api/v1/qualifications/${granted.body.id}`).set(bearer(world.tokens.staff)).expect(200);

    const res = await t.http().get(`/api/v1/audit?entity=qualification&id=${granted.body.id}`).set(bearer(world.tokens.admin));
    expect(res.status).toBe(200);
    const [revoke, create] = res.body.items;
    expect(res.body.items).toHaveLength(2);
    expect(create).toMatchObject({ entity: 'qualification', entityId: granted.body.id, action: 'create', seq: 1, actorId: world.users.staff.id, actorRole: 'staff' });
    expect(create.after).toMatchObject({ userId: world.users.memberB.id, equipmentId: world.tools[1].id, revokedAt: null });
    expect(revoke).toMatchObject({ action: 'revoke', seq: 2, actorId: world.users.staff.id });
    expect(revoke.before.revokedAt).toBeNull();
    expect(revoke.after.revokedAt).toEqual(expect.any(String));

    const verify = await t.http().get('/api/v1/audit/verify').set(bearer(world.tokens.admin));
    expect(verify.body.ok).toBe(true);
  });
});
