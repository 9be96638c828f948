import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../src/common/errors/app-error';
import { DatasetPackageService } from '../src/datasets/package/dataset-package.service';
import { HandoversService } from '../src/handovers/handovers.service';
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
  /** A status callback as the platform sends it: signed over "<timestamp>.<sha256 of the body>". */
  const callback = (body: object, { secret = SECRET, timestamp = Math.floor(Date.now() / 1000) } = {}) => {
    const raw = Buffer.from(JSON.stringify(body));
    return t
      .http()
      .post('/api/v1/handovers/callbacks')
      .set('content-type', 'application/json')
      .set('x-handover-timestamp', String(timestamp))
      .set('x-handover-signature', signBody(secret, String(timestamp), raw))
      .send(raw.toString());
  };
  const deliveredHandover = async (extra: Record<string, unknown> = {}) => {
    const data = await dataset(extra);
    const created = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    await eventually(async () => (await stateOf(created.id)) === 'delivered', 20_000);
    return { data, handover: (await handover(created.id)).body as { id: string; remoteReceiptId: string; packageSha256: string } };
  };

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
    expect(receiver.accepted(data.seriesId)).toMatchObject([{ idempotencyKey: stored.sha256, status: 202, stored: true }]);
    // The temporary package is gone once delivered.
    expect(readdirSync(join(t.config.dataDir, 'handovers', 'tmp'))).toEqual([]);
    const own = await t.http().get(`/api/v1/datasets/${data.id}/package`).set(bearer(world.tokens.memberA)).buffer(true).parse(binary).expect(200);
    expect(createHash('sha256').update(own.body as Buffer).digest('hex')).toBe(stored.sha256);

    // Asking the handover asks the target too: the platform has registered the package meanwhile.
    receiver.setStatus(data.seriesId, data.version, 'registered', 'mdr:0042');
    expect((await handover(created.body.id)).body).toMatchObject({ state: 'registered', remoteId: 'mdr:0042' });

    const again = await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({});
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: 'datasetId', message: 'this dataset version is already handed over (or held) for this target' }]);
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

  it('retries while the target answers 5xx, then delivers once', async () => {
    const data = await dataset();
    receiver.failNext(2, 503);
    const created = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    await eventually(async () => (await stateOf(created.id)) === 'delivered', 30_000);
    expect(receiver.putLog.filter((put) => put.url.includes(data.seriesId)).map((put) => put.status)).toEqual([503, 503, 202]);
    expect((await handover(created.id)).body.attempts).toBe(3);
    expect(receiver.accepted(data.seriesId)).toHaveLength(1);
    // A handover keeps trying far longer than other jobs (a platform outage of hours).
    const [row] = await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'handoverId' = $1`, [created.id]);
    const job = await t.app.get<Queue>(getQueueToken(QueueName.Handovers)).getJob(row.id);
    expect(job?.opts.attempts).toBe(14);
  }, 40_000);

  it('takes signed status callbacks by receipt id once: a replay, a bad signature, an old timestamp or an unknown receipt is refused', async () => {
    const { handover: delivered } = await deliveredHandover();
    const event = { eventId: `evt-${delivered.id}`, receiptId: delivered.remoteReceiptId, status: 'registered', remoteIds: ['mdr:1234'] };
    expect((await callback(event, { secret: 'x'.repeat(40) })).status).toBe(401);
    expect((await callback(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
    expect((await callback({ ...event, receiptId: 'rcpt-unknown' })).status).toBe(401);
    const ok = await callback(event);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: delivered.id, state: 'registered', remoteId: 'mdr:1234' });
    expect((await callback(event)).status).toBe(409);
    expect((await callback({ ...event, eventId: `evt2-${delivered.id}`, status: 'published' })).body.state).toBe('published');
  });

  it('never moves a handover back: a late registered callback or status answer leaves it published', async () => {
    const { data, handover: delivered } = await deliveredHandover();
    const base = { receiptId: delivered.remoteReceiptId };
    expect((await callback({ ...base, eventId: `pub-${delivered.id}`, status: 'published', remoteIds: ['doi:10.1234/x', 'mdr:77'] })).body).toMatchObject({ state: 'published', remoteId: 'doi:10.1234/x mdr:77' });
    const late = await callback({ ...base, eventId: `reg-${delivered.id}`, status: 'registered' });
    expect(late.status).toBe(422);
    expect(late.body.errors).toEqual([{ field: 'status', message: 'the handover is published' }]);
    // The target still says registered when asked: the handover stays published.
    receiver.setStatus(data.seriesId, data.version, 'registered', 'mdr:old');
    expect((await handover(delivered.id)).body).toMatchObject({ state: 'published', remoteId: 'doi:10.1234/x mdr:77' });
    const audit = await t.http().get(`/api/v1/audit?entity=handover&id=${delivered.id}`).set(bearer(world.tokens.admin)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)[0]).toBe('callback_published');
  });

  it('fails a handover whose package can never be built at once, with the reason, without retrying', async () => {
    const data = await dataset();
    const packages = t.app.get(DatasetPackageService);
    const invalid = new AppError('invalid-transition', 'The package of this dataset is not valid: meta/metadata.json#/constant/x is too long');
    const spy = jest.spyOn(packages, 'stream').mockImplementation(async (actor, id) => (id === data.id ? Promise.reject(invalid) : DatasetPackageService.prototype.stream.call(packages, actor, id)));
    try {
      const created = (await t.http().post(`/api/v1/datasets/${data.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
      await eventually(async () => (await stateOf(created.id)) === 'failed', 20_000);
      expect((await handover(created.id)).body).toMatchObject({ attempts: 1, lastError: invalid.message });
      const [row] = await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'handoverId' = $1`, [created.id]);
      const job = (await t.app.get<Queue>(getQueueToken(QueueName.Handovers)).getJob(row.id))!;
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(receiver.putLog.filter((put) => put.url.includes(data.seriesId))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('gives a handover whose job ended while it is still in flight one new job, however many workers look at once', async () => {
    const { data, handover: delivered } = await deliveredHandover();
    // The job completed, but the handover did not leave `sending` (as when its last write was lost).
    await t.dataSource.query(`UPDATE handovers SET state = 'sending' WHERE id = $1`, [delivered.id]);
    const queueOf = t.app.get<Queue>(getQueueToken(QueueName.Handovers));
    const service = t.app.get(HandoversService);
    const recovered = await Promise.all([service.recoverLostJobs(queueOf, 0), service.recoverLostJobs(queueOf, 0), service.recoverLostJobs(queueOf, 0)]);
    expect(recovered.reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'handoverId' = $1`, [delivered.id])).toHaveLength(2);
    await eventually(async () => (await stateOf(delivered.id)) === 'delivered', 20_000);
    // Sent again under the same key: the platform answers with the same receipt and stores nothing new.
    expect(receiver.accepted(data.seriesId).map((put) => put.stored)).toEqual([true, false]);
    expect((await handover(delivered.id)).body).toMatchObject({ remoteReceiptId: delivered.remoteReceiptId, lastError: null });
  });

  it('names the field of a duplicate target name', async () => {
    const res = await t.http().post('/api/v1/handover-targets').set(bearer(world.tokens.admin)).send({ name: 'DX platform', kind: 'folder', folder: '/tmp/x' });
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'name', message: 'a handover target with this name already exists' }]);
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
    expect(existsSync(join(t.config.dataDir, 'handovers', 'tmp', `${created.id}.zip`))).toBe(false);
  });
});
