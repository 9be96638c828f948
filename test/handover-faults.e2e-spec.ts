import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually';
import { bearer, seedWorld, World } from './support/fixtures';
import { ReferenceReceiver } from './support/reference-receiver';
import { registerFilm, startReceiverTarget, uploadShareableDataset } from './support/handover-fixtures';
import { createTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const SECRET = 'a-shared-secret-for-the-fault-test-receiver';

/**
 * Nothing lost, nothing twice: the worker runs as its own process (`node dist/worker.js`, as in
 * production) and is killed with SIGKILL while the target is receiving the package. A new
 * worker picks the job up again once its lock has expired and delivers the same package,
 * which the target stores once, and removes the temporary package the killed worker left.
 */
describe('handover when the worker is killed mid-delivery', () => {
  let t: TestApp;
  let world: World;
  let receiver: ReferenceReceiver;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // The worker process runs the compiled code: build it if the sources changed.
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.js')], { cwd: ROOT, stdio: 'ignore' });
    t = await createTestApp({ worker: false, queue: 'postgres' });
    world = await seedWorld(t);
    ({ receiver } = await startReceiverTarget(t, world, SECRET));
  }, 120_000);
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await t?.close();
    await receiver?.stop();
  });

  function startWorker(): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.config.databaseUrl, JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: t.config.dataDir, LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '50', WORKER_LOCK_MS: '3000' };
    delete env.REDIS_URL;
    const worker = spawn(process.execPath, [join(ROOT, 'dist', 'worker.js')], { cwd: ROOT, env, stdio: 'ignore' });
    workers.push(worker);
    return worker;
  }

  it('delivers exactly once after a SIGKILL during the upload and a restart', async () => {
    const dataset = await uploadShareableDataset(t, world, await registerFilm(t, world), Buffer.alloc(200_000, 3));
    // The target takes its time to answer: the worker is killed while it waits.
    receiver.delayMs = 5_000;
    const first = startWorker();
    const handover = (await t.http().post(`/api/v1/datasets/${dataset.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    await eventually(async () => receiver.puts >= 1, 60_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body.state).toBe('sending');

    receiver.delayMs = 0;
    startWorker();
    await eventually(async () => (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body.state === 'delivered', 90_000);
    const stored = receiver.packages.get(`${dataset.seriesId}/${dataset.version}`)!;
    const final = (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body;
    expect(final).toMatchObject({ packageSha256: stored.sha256, remoteReceiptId: stored.receiptId });
    // The killed worker's PUT (answered to no one, or cut off mid-upload) and the new worker's: the same package, stored by one of them.
    expect(receiver.puts).toBeGreaterThanOrEqual(2);
    const accepted = receiver.accepted(dataset.seriesId);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(2);
    expect(accepted.filter((put) => put.stored)).toHaveLength(1);
    expect(new Set(accepted.map((put) => put.idempotencyKey))).toEqual(new Set([stored.sha256]));
    expect(readdirSync(join(t.config.dataDir, 'handovers', 'tmp'))).toEqual([]);
  }, 180_000);
});
