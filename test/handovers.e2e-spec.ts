import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBody } from '../src/handovers/signature';
import { QueueName } from '../src/infra/queue/queue-name';
import { eventually } from './support/eventually';
import { bearer, seedWorld, World } from './support/fixtures';
import { ReferenceReceiver } from './support/reference-receiver';
import { binary } from './support/binary';
import { registerFilm, QUEUE_BACKENDS, startReceiverTarget, uploadShareableDataset } from './support/handover-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const SECRET = 'a-shared-secret-for-the-reference-receiver';

describe.each(QUEUE_BACKENDS)('handovers (queue on %s)', (queue) => {
  let t: TestApp;
  let world: World;
  let receiver: ReferenceReceiver;
  let target: { id: string };
  let sampleId: string;

  beforeAll(async () => {
    t = await createTestApp({ worker: true, queue });
    world = await seedWorld(t);
    ({ receiver, target } = await startReceiverTarget(t, world, SECRET));
    sampleId = await registerFilm(t, world);
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const dataset = (extra: Record<string, unknown> = {}) => uploadShareableDataset(t, world, sampleId, Buffer.from(`counts ${Math.random()}`), extra);
  const handover = (id: string) => t.http().get(`/api/v1/handovers/${id}`).set(bearer(world.tokens.memberA));
  const stateOf = async (id: string) => (await handover(id)).body.state as string;

  it('delivers through the outbox and the worker, signed, with the package hash as idempotency key, once', async () => {
    const data = await dataset();
    const created = await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({});
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'queued', targetId: target.id });
    await eventually(async () => (await stateOf(created.body.id)) === 'delivered', 20_000);
    const delivered = (await handover(created.body.id)).body;
    const stored = receiver.packages.get(`${data.seriesId}/${data.version}`)!;
    expect(stored.sha256).toBe(delivered.packageSha256);
    expect(delivered.remoteReceiptId).toBe(stored.receiptId);
    const own = await t.http().get(`/api/v1/datasets/${data.id}/package`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    expect(createHash('sha256').update(own.body as Buffer).digest('hex')).toBe(stored.sha256);

    // Asking the handover asks the target too: the platform has registered the package meanwhile.
    receiver.setStatus(data.seriesId, data.version, 'registered', 'mdr:0042');
    expect((await handover(created.body.id)).body).toMatchObject({ state: 'registered', remoteId: 'mdr:0042' });

    const again = await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({});
    expect(again.status).toBe(409);
    expect((await t.http().get(`/api/v1/handovers/${created.body.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
  });

  it('holds data not classified not-applicable until staff release it with a reason, and audits each decision', async () => {
    const data = await dataset({ exportControl: 'undetermined' });
    const held = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    expect(held).toMatchObject({ state: 'held' });
    expect(held.holdReason).toContain('Export control is undetermined');
    const twice = await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({});
    expect(twice.status).toBe(409);
    expect((await t.http().post(`/api/v1/handovers/${held.id}/release`).set(bearer(world.tokens.memberA)).send({ reason: 'x' })).status).toBe(403);
    expect((await t.http().post(`/api/v1/handovers/${held.id}/release`).set(bearer(world.tokens.staff)).send({})).status).toBe(400);
    const released = await t.http().post(`/api/v1/handovers/${held.id}/release`).set(bearer(world.tokens.staff)).send({ reason: 'Checked: no listed technology' }).expect(200);
    expect(released.body.state).toBe('queued');
    await eventually(async () => (await stateOf(held.id)) === 'delivered', 20_000);
    const dataAfter = (await t.http().get(`/api/v1/datasets/${data.id}`).set(bearer(world.tokens.memberA))).body;
    expect(dataAfter).toMatchObject({ exportControl: 'not-applicable', exportControlBy: world.users.staff.id, exportControlReason: 'Checked: no listed technology' });
    const audit = await t.http().get(`/api/v1/audit?entity=handover&id=${held.id}`).set(bearer(world.tokens.admin)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action).reverse()).toEqual(['create', 'release', 'packaging', 'sending', 'delivered']);
    expect(audit.body.items[audit.body.items.length - 1].after).toMatchObject({ state: 'held' });
  });

  it('never sends closed data to an open repository', async () => {
    const open = (await t.http().post('/api/v1/handover-targets').set(bearer(world.tokens.admin)).send({ name: `Open repo ${queue}`, kind: 'http', url: 'http://127.0.0.1:9/', secret: SECRET, openRepository: true }).expect(201)).body;
    const data = await dataset({ accessClass: 'closed' });
    const res = await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({ targetId: open.id });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'targetId', message: 'is an open repository' }]);
  });

  it('retries while the target answers 5xx, then delivers; a retry of the same package is stored once', async () => {
    const data = await dataset();
    receiver.failNext(2, 503);
    const putsBefore = receiver.puts;
    const created = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    await eventually(async () => (await stateOf(created.id)) === 'delivered', 30_000);
    expect(receiver.puts - putsBefore).toBe(3);
    expect((await handover(created.id)).body.attempts).toBe(3);
    expect([...receiver.packages.values()].filter((p) => p.datasetUuid === data.seriesId)).toHaveLength(1);
    // A handover keeps trying far longer than other jobs (a platform outage of hours).
    const [row] = await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'handoverId' = $1`, [created.id]);
    const job = await t.app.get<Queue>(getQueueToken(QueueName.Handovers)).getJob(row.id);
    expect(job?.opts.attempts).toBe(14);
  }, 40_000);

  it('takes signed status callbacks once: a replay, a bad signature or an old timestamp is refused', async () => {
    const data = await dataset();
    const created = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    await eventually(async () => (await stateOf(created.id)) === 'delivered', 20_000);
    const send = (body: object, { secret = SECRET, timestamp = Math.floor(Date.now() / 1000) } = {}) => {
      const raw = Buffer.from(JSON.stringify(body));
      return t
        .http()
        .post('/api/v1/handovers/callbacks')
        .set('content-type', 'application/json')
        .set('x-foundry-target', target.id)
        .set('x-foundry-timestamp', String(timestamp))
        .set('x-foundry-signature', signBody(secret, String(timestamp), raw))
        .send(raw.toString());
    };
    const event = { eventId: `evt-${created.id}`, handoverId: created.id, status: 'registered', remoteId: 'mdr:1234' };
    expect((await send(event, { secret: 'x'.repeat(40) })).status).toBe(401);
    expect((await send(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
    const ok = await send(event);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'registered', remoteId: 'mdr:1234' });
    expect((await send(event)).status).toBe(409);
    expect((await send({ ...event, eventId: `evt2-${created.id}`, status: 'published' })).body.state).toBe('published');
  });

  it('drops packages into a folder target atomically', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'foundry-dropbox-'));
    const drop = (await t.http().post('/api/v1/handover-targets').set(bearer(world.tokens.admin)).send({ name: `Dropbox ${queue}`, kind: 'folder', folder }).expect(201)).body;
    const data = await dataset();
    const created = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({ targetId: drop.id }).expect(201)).body;
    await eventually(async () => (await stateOf(created.id)) === 'delivered', 20_000);
    const files = readdirSync(folder);
    expect(files).toEqual([expect.stringMatching(new RegExp(`^${data.seriesId}-v1-[0-9a-f]{16}\\.zip$`))]);
    const sha = createHash('sha256').update(readFileSync(join(folder, files[0]))).digest('hex');
    expect((await handover(created.id)).body.packageSha256).toBe(sha);
  });
});
