'use strict';
/**
 * Sample traceability benchmarks, run by bench/run.js on its restarted instance (after the
 * booking benchmarks).
 *
 * 6. Scan ingest. `POST /api/v1/scan` moves at concurrency 16 for 8 s: each request scans a
 *    sample's label with a box's label (`store`), so each is one custody event (the sample
 *    lock, the box's capacity check, the state change, the hash-chained event). The base is
 *    the same event row inserted straight into PostgreSQL through `pg` at the same
 *    concurrency. Target: HTTP events/s / pg inserts/s >= 0.5.
 *
 * 7. Lineage. A wafer split into 4 quarters, each into 100 dies (through the API), every die
 *    with 20 events (the extra ones appended with valid hash chains straight in SQL, since
 *    8,000 HTTP requests would only time the set-up): the wafer's full lineage
 *    (`GET /samples/:id/lineage?direction=down`, 405 nodes) and one die's full history with
 *    the inherited events (`GET /samples/:id/events`), one request at a time. Target: p95 <= 30 ms.
 *
 * Exported: benchmarkSamples({ dataDir, results }); figures go to results.samples.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { CONCURRENCY, ADMIN, MEMBER, ROOT, verdict, pad, percentile, round, seconds, request, requestJson, login, runLoad, warmUp, summarize, embeddedPool, closePool } = require('./lib');

const TARGETS = { minScanRatio: 0.5, lineageP95Ms: 30 };
const SCAN = { samples: 256, boxPairs: 32, warmupRequests: 300, runMs: 8_000 };
const LINEAGE = { quarters: 4, diesPerQuarter: 100, eventsPerDie: 20, warmupRequests: 30, requests: 300 };
const MEMBER_PROJECT_CODE = 'TP-2026-GAN';

/** Runs one part; an error is recorded and printed, and the next part still runs. */
async function part(results, name, run) {
  try {
    await run();
  } catch (error) {
    const message = `samples/${name}: ${error.message}`;
    results.errors.push(message);
    console.error(`\nERROR: ${message}`);
  }
}

function sampleBody(ctx, name, extra = {}) {
  return { centerId: ctx.centerId, projectId: ctx.projectId, name, form: 'wafer', quantity: 1, unit: 'pcs', ...extra };
}

async function createLocation(ctx, body) {
  return requestJson('POST', '/api/v1/locations', { token: ctx.admin.token, body: { centerId: ctx.centerId, ...body } }, 201);
}

// ---------------------------------------------------------------- 6. scan ingest

async function benchmarkScanIngest(ctx, figures) {
  console.log('\n== Samples: scan ingest ==');
  const room = await createLocation(ctx, { name: `Bench room ${Date.now()}`, kind: 'room' });
  // Sample i moves between the two boxes of pair i mod 32: the requests in flight together
  // work in different boxes, as scanning staff at different benches do.
  const pairs = [];
  for (let p = 0; p < SCAN.boxPairs; p++) {
    pairs.push([
      await createLocation(ctx, { parentId: room.id, name: `Bench box ${p + 1}A`, kind: 'box', capacity: 1000 }),
      await createLocation(ctx, { parentId: room.id, name: `Bench box ${p + 1}B`, kind: 'box', capacity: 1000 }),
    ]);
  }
  const boxesOf = (i) => pairs[i % pairs.length];
  const samples = [];
  for (let i = 0; i < SCAN.samples; i += 64) {
    const batch = Array.from({ length: Math.min(64, SCAN.samples - i) }, (_, j) => sampleBody(ctx, `Scan bench ${i + j + 1}`));
    samples.push(...(await requestJson('POST', '/api/v1/samples/bulk', { token: ctx.member.token, body: { samples: batch } }, 201)).items);
  }
  for (const [i, sample] of samples.entries()) {
    await requestJson('POST', '/api/v1/scan', { token: ctx.admin.token, body: { label: sample.labelId, action: 'receive', locationLabel: boxesOf(i)[0].labelId, payload: { condition: 'intact' } } }, 200);
  }
  // Request n moves sample n mod 256 to the other box of its pair: consecutive requests (the
  // ones in flight together) touch different samples and boxes.
  const where = samples.map(() => 0);
  let next = 0;
  const scanTask = async () => {
    const i = next++ % samples.length;
    const to = 1 - where[i];
    where[i] = to;
    try {
      const res = await request('POST', '/api/v1/scan', { token: ctx.admin.token, body: { label: samples[i].labelId, action: 'store', locationLabel: boxesOf(i)[to].labelId } });
      return res.status === 200 ? true : `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
    } catch (error) {
      return `request error: ${error.message}`;
    }
  };
  await warmUp(scanTask, SCAN.warmupRequests);
  const http = summarize(await runLoad(scanTask, { concurrency: CONCURRENCY, durationMs: SCAN.runMs }));
  figures.http = http;
  console.log(`${pad('HTTP POST /api/v1/scan (store)')}${http.perSecond} events/s  p50 ${http.p50Ms} ms  p95 ${http.p95Ms} ms  p99 ${http.p99Ms} ms  (${http.count} moves, concurrency ${CONCURRENCY}, ${seconds(http.durationMs)})`);
  if (http.failures) console.log(`  ${http.failures} responses were not 200; first: ${http.firstFailure}`);

  // pg: the same event row, on bench samples of their own (the sequence must stay unique).
  const [{ id: actorId }] = (await ctx.pool.query(`SELECT id FROM users WHERE lower(email) = lower($1)`, [ADMIN.email])).rows;
  const pgSamples = (await requestJson('POST', '/api/v1/samples/bulk', { token: ctx.member.token, body: { samples: Array.from({ length: 64 }, (_, i) => sampleBody(ctx, `Scan base ${i + 1}`)) } }, 201)).items;
  const seqs = pgSamples.map(() => 1000);
  const sql =
    `INSERT INTO sample_events (sample_id, seq, type, related_sample_ids, occurred_at, recorded_at, actor_id, actor_kind, actor_role, source, scanned_label, ` +
    `from_state, to_state, location_id, payload, prev_hash, hash) ` +
    `VALUES ($1, $2, 'location_changed', '{}', now(), now(), $3, 'user', 'admin', 'scan', $4, 'available', 'available', $5, $6, $7, $8)`;
  let nextPg = 0;
  const hex = (n) => n.toString(16).padStart(64, '0');
  const pgTask = async () => {
    const i = nextPg++ % pgSamples.length;
    const seq = ++seqs[i];
    try {
      await ctx.pool.query(sql, [pgSamples[i].id, seq, actorId, pgSamples[i].labelId, boxesOf(i)[seq % 2].id, { toLocationName: 'Bench box' }, hex(seq - 1), hex(seq)]);
      return true;
    } catch (error) {
      return `query error: ${error.message}`;
    }
  };
  await warmUp(pgTask, SCAN.warmupRequests);
  const pg = summarize(await runLoad(pgTask, { concurrency: CONCURRENCY, durationMs: SCAN.runMs }));
  figures.pg = pg;
  console.log(`${pad('pg INSERT INTO sample_events')}${pg.perSecond} inserts/s  p50 ${pg.p50Ms} ms  p95 ${pg.p95Ms} ms  (${pg.count} inserts, concurrency ${CONCURRENCY}, ${seconds(pg.durationMs)})`);
  const ratio = http.perSecond / pg.perSecond;
  figures.ratio = round(ratio, 3);
  figures.ratioTarget = TARGETS.minScanRatio;
  figures.ratioPass = ratio >= TARGETS.minScanRatio;
  console.log(`${pad('ratio HTTP events/s / pg inserts/s')}${ratio.toFixed(3)}  (target >= ${TARGETS.minScanRatio})  ${verdict(figures.ratioPass)}`);
  if (http.failures) throw new Error(`${http.failures} scan responses were not 200 (first: ${http.firstFailure})`);
  if (pg.failures) throw new Error(`${pg.failures} pg inserts failed (first: ${pg.firstFailure})`);
}

// ---------------------------------------------------------------- 7. lineage

/**
 * Appends `count` events to each die's chain straight in SQL, with the service's own hash
 * function (dist/), so the chains stay valid: what /verify would check.
 */
async function appendEvents(ctx, dieIds, count) {
  const { sampleEventHash } = require(path.join(ROOT, 'dist', 'samples', 'sample-event-chain.js'));
  const { rows } = await ctx.pool.query('SELECT id, last_event_seq, last_event_hash FROM samples WHERE id = ANY($1)', [dieIds]);
  const [{ id: actorId }] = (await ctx.pool.query(`SELECT id FROM users WHERE lower(email) = lower($1)`, [ADMIN.email])).rows;
  const columns = { sample_id: [], seq: [], type: [], occurred_at: [], recorded_at: [], payload: [], prev_hash: [], hash: [] };
  const base = Date.now() - 60_000;
  for (const row of rows) {
    let prevHash = row.last_event_hash;
    for (let k = 1; k <= count; k++) {
      const seq = row.last_event_seq + k;
      const at = new Date(base + k * 10);
      const fields = {
        sampleId: row.id, seq, type: 'measured', relatedSampleIds: [], occurredAt: at, recordedAt: at, actorId, actorKind: 'user', actorRole: 'admin',
        onBehalfOf: null, source: 'instrument', scannedLabel: null, reason: null, fromState: 'received', toState: 'received', locationId: null,
        equipmentId: null, reservationId: null, runId: null, payload: { method: 'optical inspection', results: [{ quantity: 'defects', value: k, unit: 'count' }] },
        prevHash, requestId: null,
      };
      const hash = sampleEventHash(fields);
      columns.sample_id.push(row.id);
      columns.seq.push(seq);
      columns.type.push('measured');
      columns.occurred_at.push(at);
      columns.recorded_at.push(at);
      columns.payload.push(JSON.stringify(fields.payload));
      columns.prev_hash.push(prevHash);
      columns.hash.push(hash);
      prevHash = hash;
    }
    await ctx.pool.query('UPDATE samples SET last_event_seq = $2, last_event_hash = $3 WHERE id = $1', [row.id, row.last_event_seq + count, prevHash]);
  }
  await ctx.pool.query(
    `INSERT INTO sample_events (sample_id, seq, type, occurred_at, recorded_at, actor_id, actor_kind, actor_role, source, from_state, to_state, payload, prev_hash, hash)
     SELECT sample_id, seq, type, occurred_at, recorded_at, $9, 'user', 'admin', 'instrument', 'received', 'received', payload, prev_hash, hash
       FROM unnest($1::uuid[], $2::int[], $3::varchar[], $4::timestamptz[], $5::timestamptz[], $6::jsonb[], $7::char(64)[], $8::char(64)[])
         AS t(sample_id, seq, type, occurred_at, recorded_at, payload, prev_hash, hash)`,
    [columns.sample_id, columns.seq, columns.type, columns.occurred_at, columns.recorded_at, columns.payload, columns.prev_hash, columns.hash, actorId],
  );
  return columns.seq.length;
}

async function timeRequests(ctx, urlPath, count, warmup) {
  const once = async () => {
    const t0 = performance.now();
    const res = await request('GET', urlPath, { token: ctx.admin.token });
    if (res.status !== 200) throw new Error(`GET ${urlPath} answered ${res.status}: ${res.text.slice(0, 200)}`);
    return { ms: performance.now() - t0, body: res.text };
  };
  for (let i = 0; i < warmup; i++) await once();
  const times = [];
  let last = null;
  for (let i = 0; i < count; i++) {
    last = await once();
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), maxMs: round(times[times.length - 1]), requests: count, body: JSON.parse(last.body) };
}

async function benchmarkLineage(ctx, figures) {
  console.log('\n== Samples: lineage ==');
  const startedAt = performance.now();
  const wafer = await requestJson('POST', '/api/v1/samples', { token: ctx.member.token, body: sampleBody(ctx, 'Lineage bench wafer', { quantity: 4 }) }, 201);
  const act = (id, action, body) => requestJson('POST', `/api/v1/samples/${id}/${action}`, { token: ctx.admin.token, body }, 200);
  await act(wafer.id, 'receive', { condition: 'intact' });
  await act(wafer.id, 'split', { children: Array.from({ length: LINEAGE.quarters }, (_, q) => ({ descriptor: { quarter: q + 1 }, quantity: 1 })) });
  const quarterIds = (await requestJson('GET', `/api/v1/samples/${wafer.id}/lineage?direction=down&depth=1`, { token: ctx.admin.token }, 200)).edges.map((e) => e.childId);
  for (const quarterId of quarterIds) {
    const children = Array.from({ length: LINEAGE.diesPerQuarter }, (_, d) => ({ descriptor: { dieX: d % 10, dieY: Math.floor(d / 10) } }));
    await act(quarterId, 'split', { children });
  }
  const graph = (await requestJson('GET', `/api/v1/samples/${wafer.id}/lineage?direction=down`, { token: ctx.admin.token }, 200));
  const dieIds = graph.edges.filter((e) => quarterIds.includes(e.parentId)).map((e) => e.childId);
  const appended = await appendEvents(ctx, dieIds, LINEAGE.eventsPerDie - 1);
  await ctx.pool.query('ANALYZE sample_events; ANALYZE sample_lineage; ANALYZE samples');
  const { rows: [{ n: events }] } = await ctx.pool.query('SELECT count(*)::int AS n FROM sample_events WHERE sample_id = ANY($1)', [[wafer.id, ...quarterIds, ...dieIds]]);
  figures.setup = { nodes: graph.nodes.length, dies: dieIds.length, events, appendedInSql: appended, seconds: round((performance.now() - startedAt) / 1000) };
  console.log(`${pad('set-up')}${graph.nodes.length} samples (1 wafer, ${quarterIds.length} quarters, ${dieIds.length} dies), ${events} events, in ${seconds(performance.now() - startedAt)}`);

  const lineage = await timeRequests(ctx, `/api/v1/samples/${wafer.id}/lineage?direction=down`, LINEAGE.requests, LINEAGE.warmupRequests);
  const die = dieIds[dieIds.length - 1];
  const history = await timeRequests(ctx, `/api/v1/samples/${die}/events`, LINEAGE.requests, LINEAGE.warmupRequests);
  figures.lineage = { ...lineage, nodes: lineage.body.nodes.length, body: undefined };
  figures.history = { ...history, events: history.body.items.length, body: undefined };
  figures.p95Target = TARGETS.lineageP95Ms;
  figures.pass = lineage.p95Ms <= TARGETS.lineageP95Ms && history.p95Ms <= TARGETS.lineageP95Ms;
  console.log(`${pad('GET lineage of the wafer (down)')}p50 ${lineage.p50Ms} ms  p95 ${lineage.p95Ms} ms  max ${lineage.maxMs} ms  (${lineage.body.nodes.length} nodes; client round trip, ${LINEAGE.requests} requests)  (target p95 <= ${TARGETS.lineageP95Ms} ms)  ${verdict(lineage.p95Ms <= TARGETS.lineageP95Ms)}`);
  console.log(`${pad('GET full history of one die')}p50 ${history.p50Ms} ms  p95 ${history.p95Ms} ms  max ${history.maxMs} ms  (${history.body.items.length} events incl. inherited)  (target p95 <= ${TARGETS.lineageP95Ms} ms)  ${verdict(history.p95Ms <= TARGETS.lineageP95Ms)}`);
  if (lineage.body.nodes.length !== 1 + LINEAGE.quarters * (1 + LINEAGE.diesPerQuarter)) throw new Error(`the lineage has ${lineage.body.nodes.length} nodes`);
}

// ---------------------------------------------------------------- entry point

async function benchmarkSamples({ dataDir, results }) {
  const figures = (results.samples = { scanIngest: {}, lineage: {} });
  const admin = await login(ADMIN);
  const member = await login(MEMBER);
  const centers = await requestJson('GET', '/api/v1/centers', { token: admin.token }, 200);
  const projects = await requestJson('GET', '/api/v1/projects?limit=100', { token: member.token }, 200);
  const project = projects.items.find((p) => p.code === MEMBER_PROJECT_CODE);
  if (!project) throw new Error(`no project ${MEMBER_PROJECT_CODE} for ${MEMBER.email}`);
  const pool = await embeddedPool(dataDir, CONCURRENCY);
  const ctx = { admin, member, centerId: centers.items[0].id, projectId: project.id, pool };
  try {
    await part(results, 'scan-ingest', () => benchmarkScanIngest(ctx, figures.scanIngest));
    await part(results, 'lineage', () => benchmarkLineage(ctx, figures.lineage));
  } finally {
    await closePool(pool);
  }
}

module.exports = { benchmarkSamples };
