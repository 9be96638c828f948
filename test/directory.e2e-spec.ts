import { bearer, equipmentBody, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

type Caller = 'admin' | 'staff' | 'memberA' | 'memberB' | 'anonymous' | 'memberKey' | 'staffKey';
const CALLERS: Caller[] = ['admin', 'staff', 'memberA', 'memberB', 'anonymous', 'memberKey', 'staffKey'];

interface Case {
  name: string;
  method: 'get' | 'post' | 'patch';
  path: (w: World) => string;
  body?: (w: World, caller: Caller) => object;
  expect: Record<Caller, number>;
}

let unique = 0;
const next = () => ++unique;

/** The auth matrix: every caller against every directory and equipment endpoint. */
const CASES: Case[] = [
  { name: 'list centers', method: 'get', path: () => '/api/v1/centers', expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: 'read a center', method: 'get', path: (w) => `/api/v1/centers/${w.centers.kyu.id}`, expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  {
    name: 'create a center', method: 'post', path: () => '/api/v1/centers',
    body: () => ({ code: `C${String.fromCharCode(65 + (next() % 26))}${String.fromCharCode(65 + ((unique * 7) % 26))}X`, nameJa: '新センター', nameEn: 'New center', timezone: 'Asia/Tokyo' }),
    expect: { admin: 201, staff: 403, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 403 },
  },
  { name: 'update a center', method: 'patch', path: (w) => `/api/v1/centers/${w.centers.kyu.id}`, body: () => ({ address: 'Fukuoka' }), expect: { admin: 200, staff: 403, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 403 } },
  { name: 'list organizations', method: 'get', path: () => '/api/v1/organizations', expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: "read organization B", method: 'get', path: (w) => `/api/v1/organizations/${w.orgs.b.id}`, expect: { admin: 200, staff: 200, memberA: 404, memberB: 200, anonymous: 401, memberKey: 404, staffKey: 200 } },
  { name: 'create an organization', method: 'post', path: () => '/api/v1/organizations', body: () => ({ name: `Gamma ${next()} Ltd.`, kind: 'company' }), expect: { admin: 201, staff: 201, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 201 } },
  { name: 'update organization A', method: 'patch', path: (w) => `/api/v1/organizations/${w.orgs.a.id}`, body: () => ({ billingAddress: `Tsukuba ${next()}` }), expect: { admin: 200, staff: 200, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 200 } },
  { name: 'list users', method: 'get', path: () => '/api/v1/users', expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: 'read member B', method: 'get', path: (w) => `/api/v1/users/${w.users.memberB.id}`, expect: { admin: 200, staff: 200, memberA: 404, memberB: 200, anonymous: 401, memberKey: 404, staffKey: 200 } },
  {
    name: 'create a member of A', method: 'post', path: () => '/api/v1/users',
    body: (w) => ({ email: `new${next()}@alpha.test`, password: PASSWORD, displayName: 'New', role: 'member', organizationId: w.orgs.a.id }),
    expect: { admin: 201, staff: 201, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 201 },
  },
  {
    name: 'create a staff user', method: 'post', path: () => '/api/v1/users',
    body: (w) => ({ email: `staff${next()}@hub.test`, password: PASSWORD, displayName: 'New staff', role: 'staff', centerIds: [w.centers.kns.id] }),
    expect: { admin: 201, staff: 403, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 403 },
  },
  { name: 'rename member B', method: 'patch', path: (w) => `/api/v1/users/${w.users.memberB.id}`, body: () => ({ displayName: `Bob ${next()}` }), expect: { admin: 200, staff: 200, memberA: 404, memberB: 200, anonymous: 401, memberKey: 404, staffKey: 200 } },
  { name: 'list projects', method: 'get', path: () => '/api/v1/projects', expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: 'read project B', method: 'get', path: (w) => `/api/v1/projects/${w.projects.b.id}`, expect: { admin: 200, staff: 200, memberA: 404, memberB: 200, anonymous: 401, memberKey: 404, staffKey: 200 } },
  {
    name: 'create a project for A', method: 'post', path: () => '/api/v1/projects',
    body: (w) => ({ organizationId: w.orgs.a.id, code: `P-${next()}`, name: 'Project', rateCategory: 'industry' }),
    expect: { admin: 201, staff: 201, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 201 },
  },
  { name: 'update project A', method: 'patch', path: (w) => `/api/v1/projects/${w.projects.a.id}`, body: () => ({ poNumber: `PO-${next()}` }), expect: { admin: 200, staff: 200, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 200 } },
  { name: 'list equipment', method: 'get', path: () => '/api/v1/equipment', expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: 'read equipment', method: 'get', path: (w) => `/api/v1/equipment/${w.tools[0].id}`, expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: 'status history', method: 'get', path: (w) => `/api/v1/equipment/${w.tools[0].id}/status-history`, expect: { admin: 200, staff: 200, memberA: 200, memberB: 200, anonymous: 401, memberKey: 200, staffKey: 200 } },
  { name: 'create equipment at KNS', method: 'post', path: () => '/api/v1/equipment', body: (w) => equipmentBody(w.centers.kns.id, `T-${next()}`), expect: { admin: 201, staff: 201, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 201 } },
  { name: 'create equipment at KYU', method: 'post', path: () => '/api/v1/equipment', body: (w) => equipmentBody(w.centers.kyu.id, `T-${next()}`), expect: { admin: 201, staff: 403, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 403 } },
  { name: 'update KYU equipment', method: 'patch', path: (w) => `/api/v1/equipment/${w.kyuTool.id}`, body: () => ({ location: `Bay ${next()}` }), expect: { admin: 200, staff: 403, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 403 } },
  { name: 'read the audit trail', method: 'get', path: () => '/api/v1/audit?entity=equipment', expect: { admin: 200, staff: 200, memberA: 403, memberB: 403, anonymous: 401, memberKey: 403, staffKey: 200 } },
];

describe('directory and equipment: the auth matrix', () => {
  let t: TestApp;
  let world: World;
  const credentials = {} as Record<Caller, string | null>;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    const memberKey = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.memberA)).send({ name: 'A script', role: 'member', organizationId: world.orgs.a.id });
    const staffKey = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.staff)).send({ name: 'KNS bot', role: 'staff', centerIds: [world.centers.kns.id] });
    Object.assign(credentials, { ...world.tokens, anonymous: null, memberKey: memberKey.body.key, staffKey: staffKey.body.key });
  });
  afterAll(() => t.close());

  for (const c of CASES) {
    it(`${c.name}: ${CALLERS.map((caller) => `${caller} ${c.expect[caller]}`).join(', ')}`, async () => {
      const seen: Record<string, number> = {};
      for (const caller of CALLERS) {
        let req = t.http()[c.method](c.path(world));
        if (credentials[caller]) req = req.set(bearer(credentials[caller]!));
        const res = c.body ? await req.send(c.body(world, caller)) : await req;
        seen[caller] = res.status;
        if (res.status >= 400) expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      expect(seen).toEqual(c.expect);
    });
  }

  it('shows a member only their own organization in lists', async () => {
    const orgs = await t.http().get('/api/v1/organizations').set(bearer(world.tokens.memberA));
    expect(orgs.body.items.map((o: { id: string }) => o.id)).toEqual([world.orgs.a.id]);
    const users = await t.http().get('/api/v1/users?limit=500').set(bearer(world.tokens.memberA));
    expect(users.body.items.every((u: { organizationId: string }) => u.organizationId === world.orgs.a.id)).toBe(true);
    const projects = await t.http().get(`/api/v1/projects?organizationId=${world.orgs.b.id}`).set(bearer(world.tokens.memberA));
    expect(projects.body.items).toEqual([]);
  });
});

describe('directory: pagination and filters', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    for (let i = 0; i < 12; i++) {
      await t.http().post('/api/v1/organizations').set(bearer(world.tokens.admin)).send({ name: `Client ${String(i).padStart(2, '0')} K.K.`, kind: i % 2 ? 'academic' : 'company' }).expect(201);
    }
  });
  afterAll(() => t.close());

  it('walks every page with nextCursor, each item once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.http().get('/api/v1/organizations').query({ limit: 5, ...(cursor ? { cursor } : {}) }).set(bearer(world.tokens.admin));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((o: { id: string }) => o.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
  });

  it('refuses a tampered cursor and a limit over 500', async () => {
    const first = await t.http().get('/api/v1/organizations?limit=2').set(bearer(world.tokens.admin));
    const [payload, signature] = (first.body.nextCursor as string).split('.');
    const forged = Buffer.from(JSON.stringify(['1970-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000'])).toString('base64url');
    for (const cursor of [`${forged}.${signature}`, `${payload}.AAAA${signature.slice(4)}`, 'garbage']) {
      const res = await t.http().get('/api/v1/organizations').query({ cursor }).set(bearer(world.tokens.admin));
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('cursor');
    }
    const tooMany = await t.http().get('/api/v1/organizations?limit=501').set(bearer(world.tokens.admin));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].field).toBe('limit');
  });

  it('filters by name, kind, organization, rate category and active', async () => {
    const byName = await t.http().get('/api/v1/organizations?q=client 0').set(bearer(world.tokens.admin));
    expect(byName.body.items).toHaveLength(10);
    const academic = await t.http().get('/api/v1/organizations?kind=academic&q=client').set(bearer(world.tokens.admin));
    expect(academic.body.items).toHaveLength(6);
    const literal = await t.http().get('/api/v1/organizations?q=%25').set(bearer(world.tokens.admin));
    expect(literal.body.items).toHaveLength(0);

    await t.http().patch(`/api/v1/projects/${world.projects.b.id}`).set(bearer(world.tokens.staff)).send({ active: false }).expect(200);
    const active = await t.http().get('/api/v1/projects?active=true').set(bearer(world.tokens.admin));
    expect(active.body.items.map((p: { id: string }) => p.id)).toEqual([world.projects.a.id]);
    const ofB = await t.http().get(`/api/v1/projects?organizationId=${world.orgs.b.id}&rateCategory=venture`).set(bearer(world.tokens.admin));
    expect(ofB.body.items.map((p: { id: string }) => p.id)).toEqual([world.projects.b.id]);
    const badBool = await t.http().get('/api/v1/projects?active=maybe').set(bearer(world.tokens.admin));
    expect(badBool.status).toBe(400);
    expect(badBool.body.errors[0].field).toBe('active');

    const staffOfKns = await t.http().get(`/api/v1/users?role=staff&centerId=${world.centers.kns.id}`).set(bearer(world.tokens.admin));
    expect(staffOfKns.body.items.map((u: { email: string }) => u.email)).toEqual(['staff@hub.test']);
  });

  it('refuses duplicates, bad e-mails, short passwords and over-long strings, and changes nothing', async () => {
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM users');
    const duplicate = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'A@alpha.test', password: PASSWORD, displayName: 'Dup', role: 'member', organizationId: world.orgs.a.id });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].field).toBe('email');
    const bad = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'nope', password: 'short', displayName: 'x'.repeat(201), role: 'member' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['displayName', 'email', 'password']);
    const noOrg = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'x@alpha.test', password: PASSWORD, displayName: 'X', role: 'member' });
    expect(noOrg.status).toBe(400);
    expect(noOrg.body.errors[0].field).toBe('organizationId');
    const dupOrg = await t.http().post('/api/v1/organizations').set(bearer(world.tokens.admin)).send({ name: 'alpha devices k.k.', kind: 'company' });
    expect(dupOrg.status).toBe(409);
    const dupProject = await t.http().post('/api/v1/projects').set(bearer(world.tokens.admin)).send({ organizationId: world.orgs.a.id, code: 'A-1', name: 'Again', rateCategory: 'academic' });
    expect(dupProject.status).toBe(409);
    expect(dupProject.body.errors[0].field).toBe('code');
    const after = await t.dataSource.query('SELECT count(*)::int AS n FROM users');
    expect(after[0].n).toBe(before[0].n);
  });

  it('lets members change only their own name and password', async () => {
    const own = await t.http().patch(`/api/v1/users/${world.users.memberA.id}`).set(bearer(world.tokens.memberA)).send({ displayName: 'Alice A.', password: 'a-brand-new-password' });
    expect(own.status).toBe(200);
    expect(own.body.displayName).toBe('Alice A.');
    const promote = await t.http().patch(`/api/v1/users/${world.users.memberA.id}`).set(bearer(world.tokens.memberA)).send({ role: 'admin' });
    expect(promote.status).toBe(403);
    const login = await t.http().post('/api/v1/auth/login').send({ email: 'a@alpha.test', password: 'a-brand-new-password' });
    expect(login.status).toBe(200);
  });
});
