'use strict';
/**
 * Helpers shared by the benchmark files: settings of the run, formatting, the HTTP client,
 * load generation and statistics, demo sign-in, bench equipment and the pg pool on the
 * embedded database.
 */
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Pool } = require('pg');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const PORT = Number(process.env.BENCH_PORT || 3900);
const PG_PORT = Number(process.env.BENCH_PG_PORT || 55439);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const CONCURRENCY = 16;

const ADMIN = { email: 'admin@foundry-hub.local', password: 'foundry-hub-admin' };
const MEMBER = { email: 'member@tsukuba-photonics.example', password: 'foundry-hub-member' };

// ---------------------------------------------------------------- small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves with null after `ms` without keeping the process alive. */
const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms, null).unref());
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (pass) => (pass ? 'PASS' : 'FAIL');
const pad = (label) => label.padEnd(36);

/** Resident set size of a process, in bytes (Linux). */
function rssOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

function percentile(sortedValues, p) {
  if (!sortedValues.length) return NaN;
  const rank = Math.ceil((p / 100) * sortedValues.length);
  return sortedValues[Math.min(sortedValues.length, Math.max(1, rank)) - 1];
}

function round(value, digits = 2) {
  return Number(value.toFixed(digits));
}

/** True when something already listens on the port (a developer's instance, say). */
function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------- HTTP client

const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/**
 * One HTTP request; resolves with the status, the response headers and the raw body text
 * (never rejects on status; rejects on a transport error or timeout).
 */
function request(method, urlPath, { token, body, agent = keepAliveAgent, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const req = http.request(`${BASE_URL}${urlPath}`, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function requestJson(method, urlPath, options, expectedStatus) {
  const res = await request(method, urlPath, options);
  if (res.status !== expectedStatus) {
    throw new Error(`${method} ${urlPath} answered ${res.status} (expected ${expectedStatus}): ${res.text.slice(0, 300)}`);
  }
  return JSON.parse(res.text);
}

/** Signs in, retrying briefly on 401 in case the demo seed is still running. */
async function login(account = ADMIN) {
  for (let attempt = 1; ; attempt++) {
    const res = await request('POST', '/api/v1/auth/login', { body: account });
    if (res.status === 200) {
      const body = JSON.parse(res.text);
      return { token: body.accessToken, user: body.user, attempts: attempt };
    }
    if (res.status !== 401 || attempt >= 50) {
      throw new Error(`login as ${account.email} answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
    await sleep(200);
  }
}

/** A POST /api/v1/equipment body for bench tool number `index` (`PREFIX-001`, ...). */
function benchEquipment(centerId, index, { prefix = 'BENCH', requiresQualification = false, policy = {} } = {}) {
  const code = `${prefix}-${String(index).padStart(3, '0')}`;
  return {
    centerId,
    code,
    nameJa: `ベンチマーク装置 ${index}`,
    nameEn: `Benchmark tool ${index}`,
    kind: 'analysis',
    category: 'bench',
    requiresQualification,
    rates: { academic: 1000, industry: 2000, venture: 1500 },
    policy: {
      slotMinutes: 30, minMinutes: 30, maxMinutes: 240, leadMinutes: 0,
      horizonDays: 30, bufferMinutes: 0, requiresApproval: false, cancellationHours: 24,
      ...policy,
    },
  };
}

// ---------------------------------------------------------------- load generation

/**
 * Runs `task` from `concurrency` loops until `durationMs` has passed. `task` resolves with
 * true for a good response. Returns the latencies (ms, sorted) and the failures.
 */
async function runLoad(task, { concurrency, durationMs }) {
  const latencies = [];
  const failures = [];
  const startedAt = performance.now();
  const endAt = startedAt + durationMs;
  const loop = async () => {
    while (performance.now() < endAt) {
      const t0 = performance.now();
      const outcome = await task();
      latencies.push(performance.now() - t0);
      if (outcome !== true) failures.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - startedAt;
  latencies.sort((a, b) => a - b);
  return { latencies, failures, elapsedMs };
}

/** Runs `task` `count` times from `concurrency` loops; outcomes are not looked at. */
async function warmUp(task, count, concurrency = CONCURRENCY) {
  const perLoop = Math.ceil(count / concurrency);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < perLoop; i++) await task();
  }));
}

function summarize({ latencies, failures, elapsedMs }) {
  return {
    count: latencies.length,
    durationMs: Math.round(elapsedMs),
    perSecond: round(latencies.length / (elapsedMs / 1000), 1),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1] ?? NaN),
    failures: failures.length,
    firstFailure: failures[0] ?? null,
  };
}

// ---------------------------------------------------------------- the embedded database

/** A pg.Pool of `size` open connections to the run's embedded database. */
async function embeddedPool(dataDir, size = CONCURRENCY) {
  const password = fs.readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${PG_PORT}/foundry_hub`;
  const pool = new Pool({ connectionString: url, max: size });
  // An idle connection dropped by the server must not crash the run; queries report their own errors.
  pool.on('error', (error) => console.error(`  pg pool: idle connection error: ${error.message}`));
  // Open all connections up front so connecting is not part of the measurement.
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  clients.forEach((client) => client.release());
  return pool;
}

/** pool.end() resolves before the sockets are closed; waits until every client is gone. */
async function closePool(pool) {
  const open = pool.totalCount;
  let removed = 0;
  const allRemoved = new Promise((resolve) => {
    if (!open) resolve();
    pool.on('remove', () => ++removed >= open && resolve());
  });
  await pool.end();
  await Promise.race([allRemoved, deadline(5_000)]);
}

module.exports = {
  ROOT,
  RESULTS_DIR,
  PORT,
  PG_PORT,
  BASE_URL,
  CONCURRENCY,
  ADMIN,
  MEMBER,
  sleep,
  deadline,
  seconds,
  verdict,
  pad,
  percentile,
  rssOf,
  round,
  portInUse,
  keepAliveAgent,
  request,
  requestJson,
  login,
  benchEquipment,
  runLoad,
  warmUp,
  summarize,
  embeddedPool,
  closePool,
};
