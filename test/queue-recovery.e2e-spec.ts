import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { QueueName } from '../src/infra/queue/queue-name';
import { eventually } from './support/eventually';
import { bearer, seedWorld, World } from './support/fixtures';
import { ReferenceReceiver } from './support/reference-receiver';
import { registerFilm, startReceiverTarget, uploadShareableDataset } from './support/handover-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const SECRET = 'a-shared-secret-for-the-queue-recovery-test';
/** A Redis of this test's own (not the shared one), restarted empty in the middle of a delivery. */
const PORT = 6400 + (process.pid % 500);

function startRedis(): ChildProcess {
  return spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

const listening = () =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port: PORT, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Nothing lost when the queue store loses its data: Redis without persistence is killed and
 * restarted empty while a handover waits for its retry. The worker gives the handover a new
 * job, puts the schedulers back, and the package is delivered once: one PUT accepted (a
 * doubled job would send it twice, and the second would be accepted as a repeat).
 */
describe('queue recovery after Redis comes back empty', () => {
  let redis: ChildProcess;
  let t: TestApp;
  let world: World;
  let receiver: ReferenceReceiver;

  beforeAll(async () => {
    redis = startRedis();
    await eventually(listening, 10_000);
    t = await createTestApp({ worker: true, queue: 'redis', env: { REDIS_URL: `redis://127.0.0.1:${PORT}`, QUEUE_RECOVERY_MS: '300', WORKER_LOCK_MS: '1000' } });
    world = await seedWorld(t);
    ({ receiver } = await startReceiverTarget(t, world, SECRET));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    redis?.kill('SIGKILL');
  });

  it('re-queues a handover whose job was lost, puts the schedulers back, and delivers once', async () => {
    const dataset = await uploadShareableDataset(t, world, await registerFilm(t, world), Buffer.from('counts'));
    // The first delivery fails, so the job waits in Redis for its retry when Redis goes.
    receiver.failNext(1, 503);
    const handover = (await t.http().post(`/api/v1/datasets/${dataset.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body;
    await eventually(async () => receiver.puts >= 1, 20_000);

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    redis = startRedis();
    await eventually(listening, 10_000);

    await eventually(async () => (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body.state === 'delivered', 40_000);
    expect(receiver.accepted(dataset.seriesId)).toHaveLength(1);
    const audit = await t.http().get(`/api/v1/audit?entity=handover&id=${handover.id}`).set(bearer(world.tokens.admin)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('job_recovered');
    const scheduled = t.app.get<Queue>(getQueueToken(QueueName.Scheduled));
    await eventually(async () => (await scheduled.getJobSchedulers()).length === 3, 10_000);
  }, 90_000);
});
