import { bearer, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * The pages behind QR labels over plain HTTP: who sees what, the cookie sign-in with its CSRF
 * tokens, and actions posted as forms. (scan-pages.browser.e2e-spec.ts drives them in Chromium.)
 */
describe('scan pages', () => {
  let t: TestApp;
  let world: World;
  let sample: { id: string; code: string; labelId: string; name: string };
  let shelf: { id: string; labelId: string };

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    shelf = (await t.http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send({ centerId: world.centers.kns.id, name: 'Shelf S', kind: 'shelf' }).expect(201)).body;
    sample = (
      await t
        .http()
        .post('/api/v1/samples')
        .set(bearer(world.tokens.memberA))
        .send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: 'Secret perovskite film', form: 'film', hazards: ['GHS06'] })
        .expect(201)
    ).body;
  });
  afterAll(() => t.close());

  /** Signs in through the page form; returns the cookies of the session. */
  async function signIn(email: string): Promise<string[]> {
    const page = await t.http().get(`/S/${sample.labelId}`).expect(200);
    const loginCookie = cookies(page.headers['set-cookie']);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await t.http().post(`/S/${sample.labelId}/login`).set('Cookie', loginCookie).type('form').send({ email, password: PASSWORD, csrf });
    expect(res.status).toBe(303);
    const session = cookies(res.headers['set-cookie']).filter((c) => c.startsWith('fh_session='));
    expect(session).toHaveLength(1);
    return session;
  }

  it('shows anyone signed out only the center, its contact, the hazards and a sign-in form', async () => {
    const res = await t.http().get(`/S/${sample.labelId.toLowerCase()}`).expect(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('Kanto Center');
    expect(res.text).toContain('GHS06');
    expect(res.text).toContain('name="password"');
    expect(res.text).not.toContain(sample.name);
    expect(res.text).not.toContain(sample.code);
    expect(res.text).not.toContain('Alpha');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/fh_login_csrf=.*HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
  });

  it('refuses a sign-in without the CSRF token, and a wrong password', async () => {
    const noToken = await t.http().post(`/S/${sample.labelId}/login`).type('form').send({ email: 'staff@hub.test', password: PASSWORD });
    expect(noToken.status).toBe(403);
    expect(noToken.headers['set-cookie'] ? String(noToken.headers['set-cookie']) : '').not.toContain('fh_session=ey');
    const page = await t.http().get(`/S/${sample.labelId}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    const wrong = await t.http().post(`/S/${sample.labelId}/login`).set('Cookie', cookies(page.headers['set-cookie'])).type('form').send({ email: 'staff@hub.test', password: 'nope', csrf });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('E-mail or password is wrong');
  });

  it('answers a form posted without a body, or with a field sent twice, with a page instead of an error', async () => {
    const empty = await t.http().post(`/S/${sample.labelId}/login`);
    expect(empty.status).toBe(403);
    expect(empty.headers['content-type']).toContain('text/html');
    expect(empty.text).toContain('The form expired');
    expect((await t.http().post(`/S/${sample.labelId}/logout`)).status).toBe(303);

    const staff = await signIn('staff@hub.test');
    const page = await t.http().get(`/S/${sample.labelId}`).set('Cookie', staff).expect(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    expect((await t.http().post(`/S/${sample.labelId}/actions/receive`).set('Cookie', staff)).status).toBe(403);
    const twice = await t.http().post(`/S/${sample.labelId}/actions/receive`).set('Cookie', staff).type('form').send(`condition=intact&condition=damaged&csrf=${encodeURIComponent(csrf)}`);
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('payload.condition');
    const events = (await t.http().get(`/api/v1/samples/${sample.id}/events`).set(bearer(world.tokens.staff))).body.items;
    expect(events).toHaveLength(1);
  });

  it('shows the owner the sample read-only, and another organization the signed-out page', async () => {
    const owner = await signIn('a@alpha.test');
    const mine = await t.http().get(`/S/${sample.labelId}`).set('Cookie', owner).expect(200);
    expect(mine.text).toContain(sample.code);
    expect(mine.text).toContain(sample.name);
    expect(mine.text).not.toContain('data-action=');

    const stranger = await signIn('b@beta.test');
    const theirs = await t.http().get(`/S/${sample.labelId}`).set('Cookie', stranger).expect(200);
    expect(theirs.text).not.toContain(sample.name);
    expect(theirs.text).not.toContain(sample.code);
    expect(theirs.text).toContain('GHS06');
  });

  it('lets staff act through forms (with the CSRF token) and shows the result and the shelf', async () => {
    const staff = await signIn('staff@hub.test');
    const page = await t.http().get(`/S/${sample.labelId}`).set('Cookie', staff).expect(200);
    expect(page.text).toContain('data-action="receive"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];

    const forged = await t.http().post(`/S/${sample.labelId}/actions/receive`).set('Cookie', staff).type('form').send({ condition: 'intact', csrf: 'forged' });
    expect(forged.status).toBe(403);
    const received = await t.http().post(`/S/${sample.labelId}/actions/receive`).set('Cookie', staff).type('form').send({ condition: 'intact', locationLabel: shelf.labelId, csrf });
    expect(received.status).toBe(303);
    expect(received.headers.location).toBe(`/S/${sample.labelId}?done=receive`);
    const after = await t.http().get(received.headers.location).set('Cookie', staff).expect(200);
    expect(after.text).toContain('Recorded: receive');
    expect(after.text).toContain('data-state="available"');
    expect(after.text).toContain('Shelf S');

    const noStream = await t.http().post(`/S/${sample.labelId}/actions/dispose`).set('Cookie', staff).type('form').send({ reasonCode: 'used_up', csrf });
    expect(noStream.status).toBe(400);
    expect(noStream.text).toContain('wasteStream');

    const location = await t.http().get(`/S/${shelf.labelId}`).set('Cookie', staff).expect(200);
    expect(location.text).toContain('data-occupancy="1"');
    expect(location.text).toContain(sample.code);
    const events = (await t.http().get(`/api/v1/samples/${sample.id}/events`).set(bearer(world.tokens.staff))).body.items;
    expect(events[1]).toMatchObject({ type: 'received', source: 'scan', scannedLabel: sample.labelId });
  });

  it('answers a mistyped label, an unknown one and a void one with a clear page', async () => {
    const typo = sample.labelId.slice(0, -1) + (sample.labelId.endsWith('0') ? '1' : '0');
    const mistyped = await t.http().get(`/S/${typo}`);
    expect([mistyped.status, mistyped.text.includes('Not a label')]).toEqual([400, true]);
    expect((await t.http().get('/S/hello')).status).toBe(400);

    const [spare, voided] = (await t.http().post('/api/v1/labels/batch').set(bearer(world.tokens.staff)).send({ centerId: world.centers.kns.id, count: 2 }).expect(201)).body.items;
    await t.http().post('/api/v1/labels/' + voided.id + '/void').set(bearer(world.tokens.staff)).send({ reason: 'misprinted' }).expect(200);
    const gone = await t.http().get(`/S/${voided.id}`);
    expect([gone.status, gone.text.includes('This label was replaced')]).toEqual([410, true]);
    // A label nobody has: the same alphabet and check character, never issued.
    await t.dataSource.query(`DELETE FROM labels WHERE id = $1`, [spare.id]);
    const unknown = await t.http().get(`/S/${spare.id}`);
    expect([unknown.status, unknown.text.includes('Unknown label')]).toEqual([404, true]);
  });
});

function cookies(header: string | string[] | undefined): string[] {
  const list = Array.isArray(header) ? header : header ? [header] : [];
  return list.map((c) => c.split(';')[0]);
}
