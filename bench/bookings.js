'use strict';
/**
 * Booking benchmarks, run by bench/run.js on its restarted instance (after the equipment list
 * benchmark, before the instance is stopped).
 *
 * 3. Booking throughput. Non-conflicting `POST /api/v1/reservations` at concurrency 16 for 8 s
 *    against the same INSERT issued straight to PostgreSQL through `pg` at the same
 *    concurrency. Target: HTTP req/s / pg inserts/s >= 0.5.
 *
 * 4. Availability. With about 300,000 reservations seeded on 200 tools (two years of history
 *    and the coming month), `GET /api/v1/equipment/:id/availability` for the next 30 days,
 *    one request at a time. Target: p95 <= 20 ms. Skipped while the endpoint does not exist.
 *
 * 5. Contention. Bursts of overlapping booking requests for one tool must create exactly one
 *    reservation and answer 409 to every other request, never 5xx: 200 concurrent requests on
 *    one tool, then 50 on each of 20 tools (1,000 at once). Run last, because a burst the
 *    service cannot cope with may leave it unable to answer anything else.
 *
 * Exported: benchmarkBookings({ dataDir, results }). Figures go to results.bookings; an error
 * of one part is recorded in results.errors and does not keep the other parts from running.
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const {
  CONCURRENCY, ADMIN, MEMBER,
  sleep, seconds, verdict, pad, percentile, round,
  keepAliveAgent, request, requestJson, login, benchEquipment,
  runLoad, warmUp, summarize, embeddedPool, closePool,
} = require('./lib');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SLOT = 30 * MINUTE;
const SLOTS_PER_DAY = DAY / SLOT;
/** The demo center's zone is Asia/Tokyo (UTC+9 all year): booking times are written in it. */
const CENTER_OFFSET = 9 * HOUR;

const MEMBER_PROJECT_CODE = 'TP-2026-GAN';
const BOOKING_POLICY = {
  slotMinutes: 30, minMinutes: 30, maxMinutes: 600, leadMinutes: 0,
  horizonDays: 60, bufferMinutes: 0, requiresApproval: false, cancellationHours: 24,
};

// A burst of 1,000 bookings takes seconds; a request still unanswered after a minute is not coming back.
const CONTENTION = { singleRequests: 200, tools: 20, perTool: 50, waveSize: 200, dayAhead: 3, timeoutMs: 60_000 };
const THROUGHPUT = { tools: 20, warmupRequests: 500, runMs: 8_000, httpFirstDay: 1, httpLastDay: 57, pgFirstDay: 90 };
const AVAILABILITY = {
  tools: 200,
  historyDays: 700,
  aheadDays: 30,
  windowsPerDay: 4, // 6-hour windows, each holding a booking of 1-3 h with probability 1/2
  windowDays: 30,
  durationMinutes: 60,
  warmupRequests: 50,
  requests: 500,
};
const IDLE_TIMEOUT_MS = 120_000;

const TARGETS = { minBookingRatio: 0.5, availabilityP95Ms: 20 };

const ACTIVE_STATUSES = ['pending', 'confirmed', 'in_use'];

// ---------------------------------------------------------------- helpers

/** ISO 8601 with the center's +09:00 offset. */
function centerIso(ms) {
  return new Date(ms + CENTER_OFFSET).toISOString().replace('Z', '+09:00');
}

/** Midnight today in the center's zone, as epoch ms. */
function centerMidnight(now = Date.now()) {
  return Math.floor((now + CENTER_OFFSET) / DAY) * DAY - CENTER_OFFSET;
}

/** Deterministic pseudo-random numbers in [0, 1), so runs pick the same tools. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adds `count` tools with the booking policy through the API; returns their ids in order. */
async function createTools(ctx, prefix, count) {
  const ids = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < count) {
      const index = next++;
      const body = benchEquipment(ctx.centerId, index + 1, { prefix, requiresQualification: false, policy: BOOKING_POLICY });
      ids[index] = (await requestJson('POST', '/api/v1/equipment', { token: ctx.admin.token, body }, 201)).id;
    }
  }));
  return ids;
}

function bookingBody(ctx, equipmentId, startMs, endMs) {
  return { equipmentId, projectId: ctx.projectId, start: centerIso(startMs), end: centerIso(endMs), mode: 'self' };
}

/**
 * Overlapping bookings on one tool: every one contains the half hour from `anchor`, starting
 * 0-90 min before it and ending 30-120 min after it, so at most one of them can exist.
 */
function overlappingBodies(ctx, equipmentId, anchor, count) {
  return Array.from({ length: count }, (_, i) => {
    const before = (i % 4) * SLOT;
    const after = (1 + (Math.floor(i / 4) % 4)) * SLOT;
    return bookingBody(ctx, equipmentId, anchor - before, anchor + after);
  });
}

/** Sends every body at once (each on its own connection); a transport error counts as status 0. */
async function fireAtOnce(ctx, bodies) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: bodies.length });
  try {
    return await Promise.all(bodies.map(async (body) => {
      try {
        const res = await request('POST', '/api/v1/reservations', { token: ctx.member.token, body, agent, timeoutMs: CONTENTION.timeoutMs });
        return { equipmentId: body.equipmentId, status: res.status, text: res.text };
      } catch (error) {
        return { equipmentId: body.equipmentId, status: 0, text: error.message };
      }
    }));
  } finally {
    agent.destroy();
  }
}

/** Counts the answers by status, with the first body of each unexpected status. */
function tally(outcomes) {
  const byStatus = {};
  const samples = {};
  for (const { status, text } of outcomes) {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status !== 201 && status !== 409 && !(status in samples)) samples[status] = text.slice(0, 300);
  }
  const created = byStatus[201] ?? 0;
  const conflicts = byStatus[409] ?? 0;
  const serverErrors = Object.entries(byStatus).filter(([status]) => Number(status) >= 500).reduce((sum, [, n]) => sum + n, 0);
  const transportErrors = byStatus[0] ?? 0;
  return { requests: outcomes.length, created, conflicts, serverErrors, transportErrors, byStatus, unexpected: samples };
}

function countsLine(counts) {
  const others = Object.entries(counts.byStatus)
    .filter(([status]) => !['201', '409'].includes(status) && !(Number(status) >= 500))
    .map(([status, n]) => `${status === '0' ? 'no answer' : status} × ${n}`);
  return `201 × ${counts.created}, 409 × ${counts.conflicts}, 5xx × ${counts.serverErrors}${others.length ? `, ${others.join(', ')}` : ''}`;
}

function printUnexpected(counts) {
  for (const [status, text] of Object.entries(counts.unexpected)) {
    console.log(`    ${status === '0' ? 'no answer' : `HTTP ${status}`} × ${counts.byStatus[status]}, first: ${text}`);
  }
}

/** Active reservations per tool, straight from the database. */
async function activeRows(pool, equipmentIds) {
  const { rows } = await pool.query(
    `SELECT equipment_id, count(*)::int AS n FROM reservations WHERE equipment_id = ANY($1) AND status = ANY($2) GROUP BY equipment_id`,
    [equipmentIds, ACTIVE_STATUSES],
  );
  const byTool = new Map(rows.map((row) => [row.equipment_id, row.n]));
  return equipmentIds.map((id) => byTool.get(id) ?? 0);
}

/**
 * What the service's own database connections are doing (from pg_stat_activity, through the
 * bench's separate pool), grouped: shows a pool that is exhausted or waiting on a lock.
 */
async function appConnections(pool) {
  const { rows } = await pool.query(
    `SELECT state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS query,
            query ~* 'FOR UPDATE' AS for_update, count(*)::int AS n
       FROM pg_stat_activity WHERE application_name = 'foundry-hub-api'
      GROUP BY 1, 2, 3, 4, 5 ORDER BY n DESC`,
  );
  return rows.map((row) => ({
    connections: row.n,
    state: row.state,
    waitingOn: row.wait_event_type ? `${row.wait_event_type}/${row.wait_event}` : null,
    lastQuery: `${row.query}${row.for_update ? ' … FOR UPDATE' : ''}`,
  }));
}

/** True when the service still answers a request that needs its database within 5 s. */
async function serviceAnswers() {
  try {
    return (await request('GET', '/health/ready', { agent: false, timeoutMs: 5_000 })).status === 200;
  } catch {
    return false;
  }
}

/**
 * After a burst some requests got no answer: prints what the service's connections are doing
 * and whether it still answers at all; returns both for the results.
 */
async function diagnoseNoAnswer(ctx) {
  const connections = await appConnections(ctx.pool);
  const total = connections.reduce((sum, row) => sum + row.connections, 0);
  console.log(`  the service's database connections ${CONTENTION.timeoutMs / 1000} s after the burst (${total} open):`);
  for (const row of connections) {
    console.log(`    ${String(row.connections).padStart(3)} × ${row.state}${row.waitingOn ? `, waiting on ${row.waitingOn}` : ''}; last query: ${row.lastQuery}`);
  }
  const answers = await serviceAnswers();
  console.log(`  GET /health/ready now: ${answers ? 'answers 200' : 'no answer within 5 s'}`);
  return { connections, serviceAnswers: answers };
}

/**
 * Reads the service's own gauges from /metrics: outbox rows not yet relayed, and jobs waiting,
 * running or delayed in the queues bookings feed. The `scheduled` queue is left out: it always
 * holds the next run of its periodic housekeeping jobs.
 */
async function backgroundWork() {
  const res = await request('GET', '/metrics', { timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text.slice(0, 200)}`);
  let outbox = 0;
  let queued = 0;
  let failed = 0;
  for (const line of res.text.split('\n')) {
    const outboxMatch = /^foundry_outbox_pending\s+(\S+)/.exec(line);
    if (outboxMatch) outbox += Number(outboxMatch[1]);
    const jobMatch = /^foundry_queue_jobs\{([^}]*)\}\s+(\S+)/.exec(line);
    if (jobMatch) {
      const state = /state="([^"]*)"/.exec(jobMatch[1])?.[1];
      const queue = /queue="([^"]*)"/.exec(jobMatch[1])?.[1];
      if (queue === 'scheduled') continue;
      if (['waiting', 'active', 'delayed'].includes(state)) queued += Number(jobMatch[2]);
      if (state === 'failed') failed += Number(jobMatch[2]);
    }
  }
  return { outbox, queued, failed };
}

/**
 * Every booking leaves an outbox row that the service relays to its queue, where a worker
 * mails the booker. Waits until that has drained, so one measurement does not pay for the
 * previous one's background work. Returns how long it took and the failed-job count.
 */
async function waitForBackgroundIdle(label) {
  const startedAt = performance.now();
  let state = await backgroundWork();
  while (state.outbox > 0 || state.queued > 0) {
    if (performance.now() - startedAt > IDLE_TIMEOUT_MS) {
      console.log(`${pad('  background work')}still ${state.outbox} outbox rows and ${state.queued} queued jobs after ${seconds(IDLE_TIMEOUT_MS)} (${label}); going on`);
      return { ms: Math.round(performance.now() - startedAt), idle: false, ...state };
    }
    await sleep(500);
    state = await backgroundWork();
  }
  const ms = performance.now() - startedAt;
  console.log(`${pad('  background work')}drained in ${seconds(ms)} (${label})${state.failed ? `  (${state.failed} failed jobs in the queues)` : ''}`);
  return { ms: Math.round(ms), idle: true, ...state };
}

/** Runs one part; an error is recorded and printed, and the next part still runs. */
async function part(results, name, run) {
  try {
    await run();
  } catch (error) {
    const message = `bookings/${name}: ${error.message}`;
    results.errors.push(message);
    console.error(`\nERROR: ${message}`);
  }
}

// ---------------------------------------------------------------- 3. booking throughput

async function benchmarkBookingThroughput(ctx, figures) {
  console.log('\n== Bookings: throughput ==');
  const tools = await createTools(ctx, 'BOOKT', THROUGHPUT.tools);
  ctx.sampleToolId = tools[0];
  const midnight = centerMidnight();
  // Slot n: tool n mod 20, then half-hour by half-hour through the day, then day by day.
  const slot = (n, firstDay) => {
    const lap = Math.floor(n / tools.length);
    const day = firstDay + Math.floor(lap / SLOTS_PER_DAY);
    const start = midnight + day * DAY + (lap % SLOTS_PER_DAY) * SLOT;
    return { equipmentId: tools[n % tools.length], day, start, end: start + SLOT };
  };
  figures.tools = tools.length;
  figures.concurrency = CONCURRENCY;
  figures.warmupRequests = THROUGHPUT.warmupRequests;
  figures.background = { beforeHttp: await waitForBackgroundIdle('before the HTTP phase') };

  // HTTP: days 1-57 ahead, inside the 60-day horizon.
  let nextHttp = 0;
  const httpTask = async () => {
    const { equipmentId, day, start, end } = slot(nextHttp++, THROUGHPUT.httpFirstDay);
    if (day > THROUGHPUT.httpLastDay) return 'ran out of free slots inside the booking horizon';
    try {
      const res = await request('POST', '/api/v1/reservations', { token: ctx.member.token, body: bookingBody(ctx, equipmentId, start, end) });
      return res.status === 201 ? true : `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
    } catch (error) {
      return `request error: ${error.message}`;
    }
  };
  await warmUp(httpTask, THROUGHPUT.warmupRequests);
  const httpFigures = summarize(await runLoad(httpTask, { concurrency: CONCURRENCY, durationMs: THROUGHPUT.runMs }));
  figures.http = httpFigures;
  console.log(`${pad('HTTP POST /api/v1/reservations')}${httpFigures.perSecond} req/s  p50 ${httpFigures.p50Ms} ms  p95 ${httpFigures.p95Ms} ms  p99 ${httpFigures.p99Ms} ms  (${httpFigures.count} bookings, concurrency ${CONCURRENCY}, ${seconds(httpFigures.durationMs)})`);
  if (httpFigures.failures) console.log(`  ${httpFigures.failures} responses were not 201; first: ${httpFigures.firstFailure}`);

  figures.background.beforePg = await waitForBackgroundIdle('mails of the HTTP bookings');

  // pg: the same row, days 90 and later (beyond anything the HTTP phase could book).
  const sql =
    `INSERT INTO reservations (equipment_id, kind, user_id, organization_id, project_id, mode, status, start_at, end_at, period) ` +
    `VALUES ($1, 'booking', $2, $3, $4, 'self', 'confirmed', $5, $6, tstzrange($5, $6))`;
  let nextPg = 0;
  const pgTask = async () => {
    const { equipmentId, start, end } = slot(nextPg++, THROUGHPUT.pgFirstDay);
    try {
      await ctx.pool.query(sql, [equipmentId, ctx.member.user.id, ctx.organizationId, ctx.projectId, centerIso(start), centerIso(end)]);
      return true;
    } catch (error) {
      return `query error: ${error.message}`;
    }
  };
  await warmUp(pgTask, THROUGHPUT.warmupRequests);
  const pgFigures = summarize(await runLoad(pgTask, { concurrency: CONCURRENCY, durationMs: THROUGHPUT.runMs }));
  figures.pg = pgFigures;
  console.log(`${pad('pg INSERT INTO reservations')}${pgFigures.perSecond} inserts/s  p50 ${pgFigures.p50Ms} ms  p95 ${pgFigures.p95Ms} ms  p99 ${pgFigures.p99Ms} ms  (${pgFigures.count} inserts, concurrency ${CONCURRENCY}, ${seconds(pgFigures.durationMs)})`);
  if (pgFigures.failures) console.log(`  ${pgFigures.failures} inserts failed; first: ${pgFigures.firstFailure}`);

  const ratio = httpFigures.perSecond / pgFigures.perSecond;
  figures.ratio = round(ratio, 3);
  figures.ratioTarget = TARGETS.minBookingRatio;
  figures.ratioPass = ratio >= TARGETS.minBookingRatio;
  console.log(`${pad('ratio HTTP req/s / pg inserts/s')}${ratio.toFixed(3)}  (target >= ${TARGETS.minBookingRatio})  ${verdict(figures.ratioPass)}`);

  // Context for the ratio: the same client, concurrency and sign-in against the cheapest
  // authenticated read (one small row, no transaction, no background work). No endpoint of
  // the HTTP stack can beat this rate on this host, so its ratio bounds any booking ratio.
  const ceilingPath = `/api/v1/centers/${ctx.centerId}`;
  const ceilingTask = async () => {
    const res = await request('GET', ceilingPath, { token: ctx.member.token });
    return res.status === 200 ? true : `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
  };
  await warmUp(ceilingTask, THROUGHPUT.warmupRequests);
  const ceiling = summarize(await runLoad(ceilingTask, { concurrency: CONCURRENCY, durationMs: THROUGHPUT.runMs }));
  figures.ceiling = { path: 'GET /api/v1/centers/:id', ...ceiling, ratio: round(ceiling.perSecond / pgFigures.perSecond, 3) };
  console.log(`${pad('  HTTP ceiling: GET /centers/:id')}${ceiling.perSecond} req/s, ratio to pg inserts ${figures.ceiling.ratio}  (the most any endpoint reaches here; bookings reach ${round((100 * httpFigures.perSecond) / ceiling.perSecond, 1)} % of it)`);
  if (httpFigures.failures) throw new Error(`${httpFigures.failures} booking responses were not 201 (first: ${httpFigures.firstFailure})`);
  if (pgFigures.failures) throw new Error(`${pgFigures.failures} pg inserts failed (first: ${pgFigures.firstFailure})`);
}

// ---------------------------------------------------------------- 4. availability

function availabilityPath(equipmentId, fromMs) {
  const query = new URLSearchParams({
    from: centerIso(fromMs),
    to: centerIso(fromMs + AVAILABILITY.windowDays * DAY),
    duration: String(AVAILABILITY.durationMinutes),
  });
  return `/api/v1/equipment/${equipmentId}/availability?${query}`;
}

/** Nest's answer for a path no route matches, as opposed to the route's own 404 for unknown equipment. */
function isMissingRoute(res) {
  return res.status === 404 && /Cannot GET|Route .* not found/i.test(res.text) && !/No equipment/i.test(res.text);
}

async function seedHistory(ctx, figures) {
  const started = performance.now();
  const { rows: tools } = await ctx.pool.query(
    `INSERT INTO equipment (center_id, code, name_ja, name_en, kind, category, location, status, requires_qualification, remote_capable, rates, policy)
     SELECT e.center_id, 'AVAIL-' || lpad(g::text, 3, '0'), e.name_ja, 'Availability bench tool ' || g, e.kind, e.category, e.location,
            e.status, e.requires_qualification, e.remote_capable, e.rates, e.policy
       FROM equipment e CROSS JOIN generate_series(1, $2::int) AS g
      WHERE e.id = $1
     RETURNING id`,
    [ctx.sampleToolId, AVAILABILITY.tools],
  );
  const toolIds = tools.map((row) => row.id);
  // Per tool and day, four 6-hour windows; each holds, with probability 1/2, one booking starting
  // 0-2 h into the window and lasting 1-3 h (30-minute grid): bookings never overlap on a tool.
  // Past ones are completed, the rest confirmed. setseed makes the table the same every run.
  const client = await ctx.pool.connect();
  let inserted;
  try {
    await client.query('SELECT setseed(0.42)');
    const result = await client.query(
      `INSERT INTO reservations (equipment_id, kind, user_id, organization_id, project_id, mode, status, start_at, end_at, period, created_by)
       SELECT s.equipment_id, 'booking', $2, $3, $4, 'self',
              CASE WHEN s.start_at + s.length <= now() THEN 'completed' ELSE 'confirmed' END,
              s.start_at, s.start_at + s.length, tstzrange(s.start_at, s.start_at + s.length), $2
         FROM (
           SELECT t.id AS equipment_id,
                  d + w * interval '6 hours' + floor(random() * 5) * interval '30 minutes' AS start_at,
                  (2 + floor(random() * 5)) * interval '30 minutes' AS length
             FROM unnest($1::uuid[]) AS t(id)
            CROSS JOIN generate_series($5::timestamptz - $6::int * interval '1 day', $5::timestamptz + $7::int * interval '1 day', interval '1 day') AS d
            CROSS JOIN generate_series(0, $8::int - 1) AS w
            WHERE random() < 0.5
         ) AS s`,
      [toolIds, ctx.member.user.id, ctx.organizationId, ctx.projectId, centerIso(centerMidnight()), AVAILABILITY.historyDays, AVAILABILITY.aheadDays, AVAILABILITY.windowsPerDay],
    );
    inserted = result.rowCount;
  } finally {
    client.release();
  }
  const seededMs = performance.now() - started;
  const analyzeStarted = performance.now();
  await ctx.pool.query('ANALYZE reservations');
  await ctx.pool.query('ANALYZE equipment');
  const analyzeMs = performance.now() - analyzeStarted;
  const total = Number((await ctx.pool.query('SELECT count(*) AS n FROM reservations')).rows[0].n);
  figures.seededTools = toolIds.length;
  figures.seededReservations = inserted;
  figures.reservationsInTable = total;
  figures.seedMs = Math.round(seededMs);
  figures.analyzeMs = Math.round(analyzeMs);
  console.log(`${pad('seeded with SQL')}${inserted} reservations on ${toolIds.length} tools in ${seconds(seededMs)}, ANALYZE ${seconds(analyzeMs)}  (${total} reservations in the table)`);
  return toolIds;
}

async function benchmarkAvailability(ctx, figures) {
  console.log('\n== Bookings: availability ==');
  const probe = await request('GET', availabilityPath(ctx.sampleToolId, Date.now()), { token: ctx.member.token });
  if (isMissingRoute(probe)) {
    figures.available = false;
    console.log('availability: endpoint not available');
    return;
  }
  if (probe.status !== 200) {
    throw new Error(`GET ${availabilityPath(ctx.sampleToolId, Date.now())} answered ${probe.status} for existing equipment: ${probe.text.slice(0, 300)}`);
  }
  figures.available = true;
  await waitForBackgroundIdle('before seeding');
  const toolIds = await seedHistory(ctx, figures);

  const random = mulberry32(20261201);
  const serverTimes = [];
  const roundTrips = [];
  const failures = [];
  let headerSeen = 0;
  const once = async (record) => {
    const equipmentId = toolIds[Math.floor(random() * toolIds.length)];
    const urlPath = availabilityPath(equipmentId, Date.now());
    const t0 = performance.now();
    let res;
    try {
      res = await request('GET', urlPath, { token: ctx.member.token, agent: keepAliveAgent });
    } catch (error) {
      if (record) failures.push(`request error: ${error.message}`);
      return;
    }
    const roundTrip = performance.now() - t0;
    if (!record) return;
    if (res.status !== 200) failures.push(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    roundTrips.push(roundTrip);
    const header = res.headers['x-response-time'];
    const serverMs = header === undefined ? NaN : Number.parseFloat(String(header));
    if (Number.isFinite(serverMs)) headerSeen++;
    serverTimes.push(Number.isFinite(serverMs) ? serverMs : roundTrip);
  };
  for (let i = 0; i < AVAILABILITY.warmupRequests; i++) await once(false);
  for (let i = 0; i < AVAILABILITY.requests; i++) await once(true);

  // The server's own figure only when every response carried it; otherwise the round trip.
  const source = headerSeen === roundTrips.length ? 'x-response-time header' : 'client round trip (keep-alive)';
  const times = (headerSeen === roundTrips.length ? serverTimes : roundTrips).slice().sort((a, b) => a - b);
  roundTrips.sort((a, b) => a - b);
  figures.requests = times.length;
  figures.warmupRequests = AVAILABILITY.warmupRequests;
  figures.windowDays = AVAILABILITY.windowDays;
  figures.durationMinutes = AVAILABILITY.durationMinutes;
  figures.timeSource = source;
  figures.p50Ms = round(percentile(times, 50));
  figures.p95Ms = round(percentile(times, 95));
  figures.maxMs = round(times[times.length - 1] ?? NaN);
  figures.roundTripP50Ms = round(percentile(roundTrips, 50));
  figures.roundTripP95Ms = round(percentile(roundTrips, 95));
  figures.failures = failures.length;
  figures.firstFailure = failures[0] ?? null;
  figures.p95TargetMs = TARGETS.availabilityP95Ms;
  figures.pass = figures.p95Ms <= TARGETS.availabilityP95Ms;
  console.log(
    `${pad(`GET …/availability (${AVAILABILITY.windowDays} d, ${AVAILABILITY.durationMinutes} min)`)}p50 ${figures.p50Ms} ms  p95 ${figures.p95Ms} ms  max ${figures.maxMs} ms  ` +
      `(${source}; ${times.length} requests one at a time on random tools)  (target p95 <= ${TARGETS.availabilityP95Ms} ms)  ${verdict(figures.pass)}`,
  );
  if (source !== 'client round trip (keep-alive)') {
    console.log(`${pad('  client round trip')}p50 ${figures.roundTripP50Ms} ms  p95 ${figures.roundTripP95Ms} ms`);
  }
  if (failures.length) throw new Error(`${failures.length} availability responses were not 200 (first: ${failures[0]})`);
}

// ---------------------------------------------------------------- 5. contention

async function benchmarkContention(ctx, figures) {
  console.log('\n== Bookings: contention ==');
  const anchor = centerMidnight() + CONTENTION.dayAhead * DAY + 10 * HOUR; // 10:00 in three days

  // One tool, 200 overlapping requests at once.
  const [tool] = await createTools(ctx, 'BOOKC', 1);
  let startedAt = performance.now();
  const single = tally(await fireAtOnce(ctx, overlappingBodies(ctx, tool, anchor, CONTENTION.singleRequests)));
  single.elapsedMs = Math.round(performance.now() - startedAt);
  [single.activeRowsInDatabase] = await activeRows(ctx.pool, [tool]);
  single.pass =
    single.created === 1 && single.conflicts === CONTENTION.singleRequests - 1 && single.serverErrors === 0 &&
    single.transportErrors === 0 && single.activeRowsInDatabase === 1;
  figures.singleTool = single;
  console.log(
    `${pad(`1 tool, ${CONTENTION.singleRequests} at once`)}${countsLine(single)}  (${seconds(single.elapsedMs)}; ` +
      `${single.activeRowsInDatabase} active row(s) in the database)  (target 201 × 1, 409 × ${CONTENTION.singleRequests - 1}, 5xx × 0)  ${verdict(single.pass)}`,
  );
  printUnexpected(single);
  if (single.transportErrors > 0) {
    single.afterBurst = await diagnoseNoAnswer(ctx);
    if (!single.afterBurst.serviceAnswers) {
      figures.pass = false;
      throw new Error(
        `${single.transportErrors} of ${CONTENTION.singleRequests} concurrent booking requests on one tool got no answer within ${CONTENTION.timeoutMs / 1000} s ` +
          `and the service no longer answers; the 20-tool burst was not run`,
      );
    }
  }

  // 20 tools, 50 overlapping requests on each, all 1,000 at once (requests of the tools interleaved).
  const multiBodies = async (prefix) => {
    const tools = await createTools(ctx, prefix, CONTENTION.tools);
    const perTool = tools.map((id) => overlappingBodies(ctx, id, anchor, CONTENTION.perTool));
    const bodies = [];
    for (let i = 0; i < CONTENTION.perTool; i++) for (const list of perTool) bodies.push(list[i]);
    return { tools, bodies };
  };
  const total = CONTENTION.tools * CONTENTION.perTool;
  const runMulti = async (tools, send) => {
    const started = performance.now();
    const outcomes = await send();
    const counts = tally(outcomes);
    counts.elapsedMs = Math.round(performance.now() - started);
    const createdPerTool = tools.map((id) => outcomes.filter((o) => o.equipmentId === id && o.status === 201).length);
    counts.toolsWithOneCreated = createdPerTool.filter((n) => n === 1).length;
    const rows = await activeRows(ctx.pool, tools);
    counts.toolsWithOneActiveRow = rows.filter((n) => n === 1).length;
    counts.pass =
      counts.created === CONTENTION.tools && counts.toolsWithOneCreated === CONTENTION.tools && counts.toolsWithOneActiveRow === CONTENTION.tools &&
      counts.conflicts === total - CONTENTION.tools && counts.serverErrors === 0 && counts.transportErrors === 0;
    return counts;
  };
  const printMulti = (label, counts) => {
    console.log(
      `${pad(label)}${countsLine(counts)}  (${seconds(counts.elapsedMs)}; tools with exactly 1 created: ${counts.toolsWithOneCreated}/${CONTENTION.tools}, ` +
        `with 1 active row: ${counts.toolsWithOneActiveRow}/${CONTENTION.tools})  (target 201 × ${CONTENTION.tools}, 409 × ${total - CONTENTION.tools}, 5xx × 0)  ${verdict(counts.pass)}`,
    );
    printUnexpected(counts);
  };

  const atOnce = await multiBodies('BOOKM');
  startedAt = performance.now();
  let multi = await runMulti(atOnce.tools, () => fireAtOnce(ctx, atOnce.bodies));
  multi.sending = `all ${total} at once`;
  printMulti(`${CONTENTION.tools} tools × ${CONTENTION.perTool}, ${total} at once`, multi);
  if (multi.transportErrors > 0) {
    multi.afterBurst = await diagnoseNoAnswer(ctx);
    if (!multi.afterBurst.serviceAnswers) {
      figures.twentyTools = multi;
      figures.pass = false;
      throw new Error(`${multi.transportErrors} of ${total} booking requests got no answer within ${CONTENTION.timeoutMs / 1000} s and the service no longer answers`);
    }
    // Connections refused or dropped: repeat on fresh tools in waves the server accepts.
    console.log(`  ${multi.transportErrors} requests got no answer at ${total} connections; repeating on 20 other tools in waves of ${CONTENTION.waveSize}`);
    const waves = await multiBodies('BOOKW');
    const firstAttempt = multi;
    multi = await runMulti(waves.tools, async () => {
      const outcomes = [];
      for (let i = 0; i < waves.bodies.length; i += CONTENTION.waveSize) {
        outcomes.push(...(await fireAtOnce(ctx, waves.bodies.slice(i, i + CONTENTION.waveSize))));
      }
      return outcomes;
    });
    multi.sending = `waves of ${CONTENTION.waveSize}`;
    multi.firstAttemptAllAtOnce = firstAttempt;
    printMulti(`${CONTENTION.tools} tools × ${CONTENTION.perTool}, waves of ${CONTENTION.waveSize}`, multi);
  }
  figures.twentyTools = multi;
  figures.pass = single.pass && multi.pass;
}

// ---------------------------------------------------------------- entry point

/** Runs benchmarks 3-5 on the instance run.js started; figures go to results.bookings. */
async function benchmarkBookings({ dataDir, results }) {
  const figures = (results.bookings = { contention: {}, throughput: {}, availability: {} });
  const admin = await login(ADMIN);
  const member = await login(MEMBER);
  const centers = await requestJson('GET', '/api/v1/centers', { token: admin.token }, 200);
  if (!centers.items.length) throw new Error('GET /api/v1/centers returned no center to add equipment to');
  const projects = await requestJson('GET', '/api/v1/projects?limit=100', { token: member.token }, 200);
  const project = projects.items.find((p) => p.code === MEMBER_PROJECT_CODE);
  if (!project) throw new Error(`GET /api/v1/projects as ${MEMBER.email} has no project ${MEMBER_PROJECT_CODE} (got: ${projects.items.map((p) => p.code).join(', ')})`);
  const pool = await embeddedPool(dataDir, CONCURRENCY);
  const ctx = { admin, member, centerId: centers.items[0].id, projectId: project.id, organizationId: project.organizationId, pool, sampleToolId: null };
  try {
    await part(results, 'throughput', () => benchmarkBookingThroughput(ctx, figures.throughput));
    await part(results, 'availability', async () => {
      if (!ctx.sampleToolId) [ctx.sampleToolId] = await createTools(ctx, 'BOOKA', 1);
      await benchmarkAvailability(ctx, figures.availability);
    });
    // Last: a burst the service cannot cope with may leave it unable to answer anything else.
    await part(results, 'contention', async () => {
      await waitForBackgroundIdle('before the bursts');
      await benchmarkContention(ctx, figures.contention);
    });
  } finally {
    await closePool(pool);
  }
}

module.exports = { benchmarkBookings };
