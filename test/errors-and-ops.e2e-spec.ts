import { bearer, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

describe('errors, docs and health', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  it('answers malformed JSON with a 400 problem naming the body', async () => {
    const res = await t.http().post('/api/v1/organizations').set(bearer(world.tokens.admin)).set('content-type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Invalid request', errors: [{ field: 'body' }] });
    expect(res.body.type).toMatch(/problems\/validation$/);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await t.http().get('/api/v1/no-such-thing').set(bearer(world.tokens.admin));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('refuses a body over 1 MB with 413', async () => {
    const res = await t
      .http()
      .post('/api/v1/organizations')
      .set(bearer(world.tokens.admin))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1_100_000), kind: 'company' }));
    expect(res.status).toBe(413);
    expect(res.body.status).toBe(413);
  });

  it('answers a malformed id with 400 naming the parameter, never a 500', async () => {
    const res = await t.http().get('/api/v1/equipment/not-a-uuid').set(bearer(world.tokens.admin));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
  });

  it('names every bad field, wrong types and unknown fields included', async () => {
    const res = await t
      .http()
      .post('/api/v1/organizations')
      .set(bearer(world.tokens.admin))
      .send({ name: 42, kind: 'pirate', colour: 'red', language: 'fr' });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'kind', 'colour', 'language']));
    const count = await t.dataSource.query(`SELECT count(*)::int AS n FROM organizations`);
    expect(count[0].n).toBe(2);
  });

  it('sends security headers and a request id', async () => {
    const res = await t.http().get('/health').set('x-request-id', 'trace-123');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('reports readiness of the database and the queue', async () => {
    const res = await t.http().get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.queue.status).toBe('up');
  });

  it('serves the OpenAPI document with the bearer scheme and the DTO schemas', async () => {
    const res = await t.http().get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/equipment', '/api/v1/equipment/{id}/status-history', '/api/v1/audit/verify', '/api/v1/api-keys']),
    );
    expect(res.body.components.schemas.CreateEquipmentDto.properties.code.example).toBe('ALD-01');
    expect(res.body.components.schemas.BookingPolicyDto.required).toEqual(expect.arrayContaining(['slotMinutes', 'maxMinutes']));
    const list = res.body.paths['/api/v1/organizations'].get.responses['200'].content['application/json'].schema;
    expect(list.properties.items.items.$ref).toBe('#/components/schemas/Organization');
    expect(res.body.paths['/api/v1/equipment'].post.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/ProblemDto');
    expect(res.body.components.schemas.UserView.properties.passwordHash).toBeUndefined();
    const ui = await t.http().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });
});

describe('metrics', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  it('exposes HTTP latency by route pattern, queue depth and outbox lag for Prometheus', async () => {
    await t.http().get(`/api/v1/equipment/${world.tools[0].id}`).set(bearer(world.tokens.admin)).expect(200);
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/foundry_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/equipment\/:id",status="200"\} 1/);
    expect(res.text).not.toContain(world.tools[0].id);
    expect(res.text).toMatch(/foundry_queue_jobs\{queue="mail",state="waiting"\} \d+/);
    expect(res.text).toMatch(/foundry_outbox_pending \d+/);
    expect(res.text).toMatch(/foundry_outbox_lag_seconds [\d.]+/);
  });
});
