import { createHmac } from 'node:crypto';
import { bearer, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('authentication', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_LIMIT_PER_ACCOUNT: '5' } });
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  it('logs in with e-mail and password and returns a one-hour HS256 token with the user', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'A@Alpha.test', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.expiresIn).toBe(3600);
    expect(res.body.user).toMatchObject({ email: 'a@alpha.test', role: 'member', organizationId: world.orgs.a.id, centerIds: [] });
    expect(res.body.user.passwordHash).toBeUndefined();
    const header = JSON.parse(Buffer.from(res.body.accessToken.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('HS256');

    const me = await t.http().get('/api/v1/auth/me').set(bearer(res.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', role: 'member', organizationId: world.orgs.a.id, user: { displayName: 'Alice Alpha' } });
  });

  it('refuses a wrong password and an unknown account alike with 401', async () => {
    const wrong = await t.http().post('/api/v1/auth/login').send({ email: 'b@beta.test', password: 'not-the-password' });
    const unknown = await t.http().post('/api/v1/auth/login').send({ email: 'nobody@beta.test', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('answers an invalid e-mail with 400 naming the field', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'not-an-email', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'email', message: 'must be an e-mail address' }]);
  });

  it('limits login attempts per account with 429', async () => {
    const attempts = [];
    for (let i = 0; i < 7; i++) attempts.push((await t.http().post('/api/v1/auth/login').send({ email: 'staff@hub.test', password: 'wrong-password' })).status);
    expect(attempts.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(attempts.slice(5)).toEqual([429, 429]);
    const limited = await t.http().post('/api/v1/auth/login').send({ email: 'staff@hub.test', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    // Another account from the same address is not affected.
    const other = await t.http().post('/api/v1/auth/login').send({ email: 'admin@hub.test', password: PASSWORD });
    expect(other.status).toBe(200);
  });

  it('refuses requests without a token, with an expired token, a forged one, or alg none', async () => {
    const url = '/api/v1/projects';
    expect((await t.http().get(url)).status).toBe(401);
    expect((await t.http().get(url).set('Authorization', 'Basic abc')).status).toBe(401);

    const expired = t.tokenFor(world.users.admin.id, 'admin', -10);
    const expiredRes = await t.http().get(url).set(bearer(expired));
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body.detail).toMatch(/expired/);

    const now = Math.floor(Date.now() / 1000);
    const payload = base64url({ sub: world.users.admin.id, role: 'admin', iat: now, exp: now + 600 });
    const head = base64url({ alg: 'HS256', typ: 'JWT' });
    const forged = `${head}.${payload}.${createHmac('sha256', 'some-other-secret-of-enough-length-1234').update(`${head}.${payload}`).digest('base64url')}`;
    expect((await t.http().get(url).set(bearer(forged))).status).toBe(401);

    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expect((await t.http().get(url).set(bearer(none))).status).toBe(401);

    const hs512 = base64url({ alg: 'HS512', typ: 'JWT' });
    const otherAlg = `${hs512}.${payload}.${createHmac('sha512', TEST_JWT_SECRET).update(`${hs512}.${payload}`).digest('base64url')}`;
    expect((await t.http().get(url).set(bearer(otherAlg))).status).toBe(401);
  });

  it('takes a disabled account out at once, even with a valid token', async () => {
    const created = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'temp@alpha.test', password: PASSWORD, displayName: 'Temp', role: 'member', organizationId: world.orgs.a.id });
    expect(created.status).toBe(201);
    const token = t.tokenFor(created.body.id, 'member');
    expect((await t.http().get('/api/v1/projects').set(bearer(token))).status).toBe(200);
    await t.http().patch(`/api/v1/users/${created.body.id}`).set(bearer(world.tokens.admin)).send({ active: false }).expect(200);
    expect((await t.http().get('/api/v1/projects').set(bearer(token))).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: 'temp@alpha.test', password: PASSWORD })).status).toBe(401);
  });

  it('drops a cached sign-in when another process disables the account', async () => {
    const created = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'replica@alpha.test', password: PASSWORD, displayName: 'Replica', role: 'member', organizationId: world.orgs.a.id });
    const token = t.tokenFor(created.body.id, 'member');
    expect((await t.http().get('/api/v1/projects').set(bearer(token))).status).toBe(200);
    // As another API replica would: the change reaches this process only through the database.
    await t.dataSource.query('UPDATE users SET active = false WHERE id = $1', [created.body.id]);
    const deadline = Date.now() + 5000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await t.http().get('/api/v1/projects').set(bearer(token))).status;
    }
    expect(status).toBe(401);
  });

  describe('API keys', () => {
    it('shows a key once, stores only its hash, scopes it, and stops it when revoked', async () => {
      const created = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.memberA)).send({ name: 'Lab script', role: 'member', organizationId: world.orgs.a.id });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^fhk_[A-Za-z0-9_-]{43}$/);
      const stored = await t.dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
      expect(stored[0].key_hash).not.toContain(created.body.key);

      const listed = await t.http().get('/api/v1/api-keys').set(bearer(world.tokens.memberA));
      expect(listed.body.items.map((k: { id: string }) => k.id)).toContain(created.body.id);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
      const fetched = await t.http().get(`/api/v1/api-keys/${created.body.id}`).set(bearer(world.tokens.memberA));
      expect(fetched.body.key).toBeUndefined();

      const key = created.body.key as string;
      const me = await t.http().get('/api/v1/auth/me').set(bearer(key));
      expect(me.body).toMatchObject({ kind: 'api_key', role: 'member', organizationId: world.orgs.a.id });
      const projects = await t.http().get('/api/v1/projects').set(bearer(key));
      expect(projects.body.items.map((p: { id: string }) => p.id)).toEqual([world.projects.a.id]);
      expect((await t.http().get(`/api/v1/projects/${world.projects.b.id}`).set(bearer(key))).status).toBe(404);

      expect((await t.http().get(`/api/v1/api-keys/${created.body.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
      await t.http().delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(world.tokens.memberA)).expect(200);
      const revoked = await t.http().get('/api/v1/projects').set(bearer(key));
      expect(revoked.status).toBe(401);
      expect(revoked.body.detail).toMatch(/revoked/);
    });

    it('never issues a key with more reach than its issuer', async () => {
      const asAdmin = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.memberA)).send({ name: 'x', role: 'admin' });
      expect(asAdmin.status).toBe(403);
      const otherOrg = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.memberA)).send({ name: 'x', role: 'member', organizationId: world.orgs.b.id });
      expect(otherOrg.status).toBe(400);
      expect(otherOrg.body.errors[0].field).toBe('organizationId');
      const otherCenter = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.staff)).send({ name: 'x', role: 'staff', centerIds: [world.centers.kyu.id] });
      expect(otherCenter.status).toBe(400);
      expect(otherCenter.body.errors[0].field).toBe('centerIds');
      const instrument = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.staff)).send({ name: 'SEM PC', role: 'staff', centerIds: [world.centers.kns.id] });
      expect(instrument.status).toBe(201);
      const viaKey = await t.http().post('/api/v1/api-keys').set(bearer(instrument.body.key)).send({ name: 'y', role: 'member', organizationId: world.orgs.a.id });
      expect(viaKey.status).toBe(403);
    });
  });
});
