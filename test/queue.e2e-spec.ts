import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutboxRelay } from '../src/outbox/outbox.relay';
import { bearer, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { eventually } from './support/eventually';

const backends: ('postgres' | 'redis')[] = process.env.REDIS_URL ? ['postgres', 'redis'] : ['postgres'];

describe.each(backends)('jobs through the outbox on the %s queue backend', (backend) => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp({ queue: backend, worker: true });
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  it('sends the account notice for a new user once, traceable to the request', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(world.tokens.staff))
      .set('x-request-id', `req-mail-${backend}`)
      .send({ email: `new-${backend}@alpha.test`, password: PASSWORD, displayName: 'Nina New', role: 'member', organizationId: world.orgs.a.id });
    expect(res.status).toBe(201);

    const [outbox] = await t.dataSource.query(`SELECT id, request_id FROM outbox WHERE payload->>'to' = $1`, [`new-${backend}@alpha.test`]);
    expect(outbox.request_id).toBe(`req-mail-${backend}`);
    const sent = await eventually(async () => (await t.dataSource.query('SELECT * FROM sent_mails WHERE outbox_id = $1', [outbox.id]))[0]);
    expect(sent).toMatchObject({ recipient: `new-${backend}@alpha.test`, transport: 'file' });
    const file = join(t.config.dataDir, 'mail', `${outbox.id}.eml`);
    expect(existsSync(file)).toBe(true);
    const eml = readFileSync(file, 'utf8');
    expect(eml).toContain(`To: new-${backend}@alpha.test`);
    const dispatched = await t.dataSource.query('SELECT dispatched_at FROM outbox WHERE id = $1', [outbox.id]);
    expect(dispatched[0].dispatched_at).not.toBeNull();
  });

  it('runs a job once even when its outbox row is relayed again', async () => {
    const [outbox] = await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'to' = $1`, [`new-${backend}@alpha.test`]);
    await eventually(async () => (await t.dataSource.query('SELECT 1 FROM sent_mails WHERE outbox_id = $1', [outbox.id]))[0]);
    // As if the relay crashed after enqueueing but before its commit.
    await t.dataSource.query('UPDATE outbox SET dispatched_at = NULL WHERE id = $1', [outbox.id]);
    await t.app.get(OutboxRelay).relayOnce();
    await eventually(async () => (await t.dataSource.query('SELECT dispatched_at FROM outbox WHERE id = $1', [outbox.id]))[0]?.dispatched_at);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = await t.dataSource.query('SELECT count(*)::int AS n FROM sent_mails WHERE outbox_id = $1', [outbox.id]);
    expect(sent[0].n).toBe(1);
  });

  it('writes no job for a change that rolled back', async () => {
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM outbox');
    const dup = await t.http().post('/api/v1/users').set(bearer(world.tokens.admin)).send({ email: 'a@alpha.test', password: PASSWORD, displayName: 'Dup', role: 'member', organizationId: world.orgs.a.id });
    expect(dup.status).toBe(409);
    const after = await t.dataSource.query('SELECT count(*)::int AS n FROM outbox');
    expect(after[0].n).toBe(before[0].n);
  });
});
