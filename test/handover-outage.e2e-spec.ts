import { getQueueToken } from '@nestjs/bullmq';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type { Server } from 'node:http';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../src/bootstrap';
import { DEFAULT_JOB_BACKOFF_MS } from '../src/infra/config/app-config';
import { JOB_OPTIONS, JobName, QueueName } from '../src/infra/queue/queue-name';
import { firstAttemptAfter, retrySchedule } from '../src/infra/queue/retry-schedule';
import { eventually } from './support/eventually';
import { bearer, seedWorld, World } from './support/fixtures';
import { ReferenceReceiver } from './support/reference-receiver';
import { QUEUE_BACKENDS, registerFilm, startReceiverTarget, uploadShareableDataset } from './support/handover-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const SECRET = 'a-shared-secret-for-the-outage-test-receiver';


const HOUR_MS = 3_600_000;
/** Production: JOB_BACKOFF_MS unset (2 s) and a handover's 14 attempts. */
const PRODUCTION_BASE_MS = DEFAULT_JOB_BACKOFF_MS;
const ATTEMPTS = JOB_OPTIONS[JobName.HandoverDeliver]!.attempts!;
/** The first attempt after an hour of outage: the 12th, 4,094 s after the first. Attempts 1–11 all fall inside the hour. */
const BACK_AT = firstAttemptAfter(PRODUCTION_BASE_MS, ATTEMPTS, HOUR_MS)!;
/** The test runs the same schedule 400 times faster: 5 ms instead of 2 s, so the hour takes 9 s. */
const BACKOFF_MS = 5;
const SCALE = BACKOFF_MS / PRODUCTION_BASE_MS;
const SCALED_HOUR_MS = HOUR_MS * SCALE;
const SCALED = retrySchedule(BACKOFF_MS, ATTEMPTS);
/**
 * How the target fails inside the hour: it answers 503 to attempts 1–6, takes the upload and
 * drops the connection unanswered on attempts 7–8, then is down (connections refused) for
 * attempts 9–11. It goes down between attempts 8 and 9, which are
 * 640 ms apart at this scale, so the switch does not race an attempt.
 */
const ANSWERED_503 = 8;
/** Of those, the last ones reach the target, which takes the upload and closes the connection without an answer. */
const DROPPED = 2;
const REFUSED = BACK_AT - 1 - ANSWERED_503;


interface AuditRow {
  action: string;
  after: { state?: string; attempts?: number; packageSha256?: string } | null;
  at: Date;
}
const historyOf = async (dataSource: DataSource, handoverId: string) =>
  (await dataSource.query(`SELECT action, after, at FROM audit_log WHERE entity = 'handover' AND entity_id = $1 ORDER BY seq`, [handoverId])) as AuditRow[];

/**
 * "Target down for an hour": a handover accepted while the DX platform is unavailable keeps being
 * retried with the same package and is delivered, and registered once, when the platform is
 * back, without ever passing through `failed`. The backoff is time-scaled (JOB_BACKOFF_MS = 5)
 * so that the production schedule (2 s doubling, 14 attempts) runs in seconds; the target
 * fails every attempt that starts inside the hour at production scale (computed from
 * `retrySchedule`), first with 503, then with connections refused.
 */
describe.each(QUEUE_BACKENDS)('handover through a one-hour outage of the target (queue on %s)', (queue) => {
  let t: TestApp;
  let world: World;
  let receiver: ReferenceReceiver;
  let sampleId: string;

  beforeAll(async () => {
    t = await createTestApp({ worker: true, queue, env: { JOB_BACKOFF_MS: String(BACKOFF_MS) } });
    world = await seedWorld(t);
    ({ receiver } = await startReceiverTarget(t, world, SECRET));
    sampleId = await registerFilm(t, world);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('computes the outage from the production schedule', () => {
    expect([PRODUCTION_BASE_MS, ATTEMPTS, BACK_AT]).toEqual([2000, 14, 12]);
    expect(REFUSED).toBe(3);
    // Scaled: attempt 11 starts 5,115 ms after the first, attempt 12 at 10,235 ms, past the scaled hour of 9,000 ms.
    expect(SCALED[BACK_AT - 2]).toBeLessThan(SCALED_HOUR_MS);
    expect(SCALED[BACK_AT - 1]).toBeGreaterThanOrEqual(SCALED_HOUR_MS);
  });

  it('keeps retrying the same package while the target fails, then delivers it once, never failed', async () => {
    const dataset = await uploadShareableDataset(t, world, sampleId, Buffer.from('counts through an outage'));
    const putsOf = () => receiver.putLog.filter((put) => put.url.includes(dataset.seriesId));
    // The target answers 503, then twice takes the upload and drops the connection unanswered.
    receiver.failNext(ANSWERED_503 - DROPPED, 503);
    receiver.failNext(DROPPED, 'drop');

    const handover = (await t.http().post(`/api/v1/datasets/${dataset.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body as { id: string; state: string };
    expect(handover.state).toBe('queued');
    const [outbox] = (await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'handoverId' = $1`, [handover.id])) as { id: string }[];
    const handovers = t.app.get<Queue>(getQueueToken(QueueName.Handovers));
    const failedAttempts = async () => (await handovers.getJob(outbox.id))?.attemptsMade ?? 0;

    // The attempts the target answered with 503 have failed: it goes down (attempt 9 is due 640 ms later).
    await eventually(async () => (await failedAttempts()) >= ANSWERED_503, 20_000);
    await receiver.down();
    expect(putsOf()).toHaveLength(ANSWERED_503);
    const firstAttemptAt = putsOf()[0].at;

    // It stays down through the scaled hour and every attempt that starts inside it (the 11th
    // has failed, the 12th is due 5,120 ms later), then comes back.
    await eventually(async () => (await failedAttempts()) >= BACK_AT - 1, 30_000);
    const waitFor = firstAttemptAt + SCALED_HOUR_MS - Date.now();
    if (waitFor > 0) await new Promise((resolve) => setTimeout(resolve, waitFor));
    const whileDown = (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body;
    expect(whileDown.state).not.toBe('failed');
    expect(whileDown.attempts).toBe(BACK_AT - 1);
    expect(whileDown.lastError).toMatch(/ECONNREFUSED/);
    await receiver.up();
    const cameBackAt = Date.now();

    await eventually(async () => (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body.state === 'delivered', 30_000);
    const delivered = (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body;
    expect(delivered.attempts).toBe(BACK_AT);
    expect(delivered.lastError).toBeNull();

    // Registered once: one PUT accepted, every PUT under the package's hash.
    const stored = receiver.packages.get(`${dataset.seriesId}/${dataset.version}`)!;
    expect(stored.sha256).toBe(delivered.packageSha256);
    expect(delivered.remoteReceiptId).toBe(stored.receiptId);
    expect(receiver.accepted(dataset.seriesId)).toMatchObject([{ status: 202, stored: true }]);
    const puts = putsOf();
    // The refused attempts never reached it; the 12th did, after it came back.
    expect(puts).toHaveLength(ANSWERED_503 + 1);
    expect(puts[puts.length - 1].at).toBeGreaterThanOrEqual(cameBackAt);
    expect(new Set(puts.map((put) => put.idempotencyKey))).toEqual(new Set([delivered.packageSha256]));

    // The history: 12 attempts, each the same package, and no `failed` on the way.
    const history = await historyOf(t.dataSource, handover.id);
    expect(history.map((e) => e.action)).toEqual(['create', ...Array.from({ length: BACK_AT }, () => ['packaging', 'sending']).flat(), 'delivered']);
    expect(history.some((e) => e.after?.state === 'failed')).toBe(false);
    const packaging = history.filter((e) => e.action === 'packaging');
    expect(packaging.map((e) => e.after?.attempts)).toEqual(Array.from({ length: BACK_AT }, (_, i) => i + 1));
    expect(new Set(history.filter((e) => e.action === 'sending').map((e) => e.after?.packageSha256))).toEqual(new Set([delivered.packageSha256]));
    // Each attempt started no earlier than the (scaled) backoff allows; the 12th after the scaled hour.
    const started = packaging.map((e) => new Date(e.at).getTime() - new Date(packaging[0].at).getTime());
    started.forEach((offset, i) => expect(offset).toBeGreaterThanOrEqual(SCALED[i]));
    expect(started[BACK_AT - 1]).toBeGreaterThanOrEqual(SCALED_HOUR_MS);

    // Each failure was the one the target was told to give, in order, and the job still had attempts left.
    const job = (await handovers.getJob(outbox.id))!;
    expect(job.opts).toMatchObject({ attempts: ATTEMPTS, backoff: { type: 'exponential', delay: BACKOFF_MS } });
    const failures = (job.stacktrace ?? []).map((stack) => stack.split('\n')[0]);
    expect(failures).toHaveLength(BACK_AT - 1);
    failures.slice(0, ANSWERED_503 - DROPPED).forEach((line) => expect(line).toMatch(/answered 503/));
    failures.slice(ANSWERED_503 - DROPPED, ANSWERED_503).forEach((line) => expect(line).toMatch(/socket hang up|ECONNRESET/));
    failures.slice(ANSWERED_503).forEach((line) => expect(line).toMatch(/ECONNREFUSED/));
  }, 60_000);
});

/**
 * "API crash right after commit": the handover and its outbox row are committed and the 201 is
 * sent, but the process (API and worker in one, the default `npm start`) dies before its relay
 * moves the row to the queue. Nothing is lost: a fresh process on the same database relays the
 * row and the package is delivered, and registered, once.
 */
describe.each(QUEUE_BACKENDS)('handover when the process dies right after the commit (queue on %s)', (queue) => {
  let t: TestApp;
  let world: World;
  let receiver: ReferenceReceiver;
  let restarted: NestFastifyApplication | null = null;

  beforeAll(async () => {
    // The relay passes once at start, then not for a minute: the test's commit is never relayed by this process.
    t = await createTestApp({ worker: true, queue, env: { OUTBOX_POLL_MS: '60000' } });
    world = await seedWorld(t);
    ({ receiver } = await startReceiverTarget(t, world, SECRET));
  }, 60_000);
  afterAll(async () => {
    await restarted?.close();
    // The first app was closed by the test already; this drops the database.
    await t?.close();
    await receiver?.stop();
  });

  it('relays the committed row after a restart and delivers once', async () => {
    const dataset = await uploadShareableDataset(t, world, await registerFilm(t, world), Buffer.from('counts before a crash'));
    const handover = (await t.http().post(`/api/v1/datasets/${dataset.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body as { id: string; state: string };
    expect(handover.state).toBe('queued');

    // Committed, not relayed, no job: the state a crash right after the commit leaves behind.
    const outboxRows = () => t.dataSource.query(`SELECT id, dispatched_at, attempts FROM outbox WHERE payload->>'handoverId' = $1`, [handover.id]) as Promise<{ id: string; dispatched_at: Date | null; attempts: number }[]>;
    const [row] = await outboxRows();
    expect(row).toMatchObject({ dispatched_at: null, attempts: 0 });
    expect(await t.app.get<Queue>(getQueueToken(QueueName.Handovers)).getJob(row.id)).toBeUndefined();

    // The process goes (its relay stops without relaying anything; the database stays).
    const { config } = t;
    await t.app.close();
    const check = new Client({ connectionString: config.databaseUrl });
    await check.connect();
    try {
      const { rows: after } = await check.query<{ dispatched_at: Date | null }>(`SELECT dispatched_at FROM outbox WHERE id = $1`, [row.id]);
      expect(after[0].dispatched_at).toBeNull();
      expect(receiver.puts).toBe(0);
    } finally {
      await check.end();
    }

    // A fresh process on the same database and queue.
    // (createTestApp names the queue prefix after the database.)
    restarted = await createHttpApp({ ...config, outboxPollMs: 50 }, { api: true, worker: true, queuePrefix: new URL(config.databaseUrl).pathname.slice(1) });
    await restarted.init();
    await restarted.getHttpAdapter().getInstance().ready();
    const http = () => request(restarted!.getHttpServer() as Server);
    const dataSource = restarted.get<DataSource>(getDataSourceToken());
    await eventually(async () => (await http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body.state === 'delivered', 20_000);

    const delivered = (await http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body;
    const stored = receiver.packages.get(`${dataset.seriesId}/${dataset.version}`)!;
    expect(delivered).toMatchObject({ attempts: 1, packageSha256: stored.sha256, remoteReceiptId: stored.receiptId });
    expect(receiver.putLog.filter((put) => put.url.includes(dataset.seriesId))).toMatchObject([{ status: 202, stored: true }]);
    const rows = (await dataSource.query(`SELECT id, dispatched_at, attempts FROM outbox WHERE payload->>'handoverId' = $1`, [handover.id])) as { id: string; dispatched_at: Date | null; attempts: number }[];
    expect(rows).toEqual([{ id: row.id, dispatched_at: expect.any(Date), attempts: 1 }]);
    expect((await historyOf(dataSource, handover.id)).map((e) => e.action)).toEqual(['create', 'packaging', 'sending', 'delivered']);
  }, 60_000);
});
