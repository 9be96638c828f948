'use strict';
/**
 * Dataset and handover benchmarks, run by bench/run.js on its instance (after the samples).
 *
 * 9. Handover throughput: 1,000 small datasets handed over to the reference receiver
 *    (src/handovers/reference-receiver.ts, run here from dist/): total time from the first
 *    request to the last delivery, datasets/s, the worker concurrency; every one must be
 *    `delivered`, stored once at the receiver and accepted by exactly one PUT (a second
 *    delivery of the same package would be accepted again as a repeat).
 * 10. One 2 GiB file: uploaded (generated on the fly, never on the client's disk), packaged and
 *    delivered; the service process's peak RSS growth over its RSS before. Target < 150 MB.
 * 11. A dataset of 500 files: package build time, and byte-identical on a second build.
 *
 * Exported: benchmarkDatasets({ dataDir, results, serverPid }); figures go to results.datasets.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT, ADMIN, MEMBER, BASE_URL, verdict, pad, round, seconds, sleep, request, requestJson, login, rssOf } = require('./lib');

const SECRET = 'bench-secret-for-the-reference-receiver-0123456789';
const HANDOVERS = { datasets: 1000, concurrency: 8, timeoutMs: 300_000 };
const BIG = { bytes: 2 * 1024 ** 3, chunk: 1024 * 1024, timeoutMs: 600_000 };
const MANY_FILES = 500;
const TARGETS = { maxRssGrowthMb: 150 };
const MEMBER_PROJECT_CODE = 'TP-2026-GAN';

async function part(results, name, run) {
  try {
    await run();
  } catch (error) {
    const message = `datasets/${name}: ${error.message}`;
    results.errors.push(message);
    console.error(`\nERROR: ${message}`);
  }
}


/**
 * POSTs a multipart dataset upload, streaming `files` (each { name, size, fill } generated on
 * the fly, or { name, data }) after the metadata part. Resolves with { status, text }.
 */
function uploadDataset(token, metadata, files, timeoutMs = 60_000) {
  const boundary = `----foundry-bench-${crypto.randomBytes(8).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(`${BASE_URL}/api/v1/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`upload timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    const write = (data) => (req.write(data) ? Promise.resolve() : new Promise((ok) => req.once('drain', ok)));
    (async () => {
      await write(`--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(metadata)}\r\n`);
      for (const file of files) {
        await write(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
        if (file.data) await write(file.data);
        else for (let sent = 0; sent < file.size; sent += file.fill.length) await write(file.size - sent >= file.fill.length ? file.fill : file.fill.subarray(0, file.size - sent));
        await write('\r\n');
      }
      req.end(`--${boundary}--\r\n`);
    })().catch((error) => req.destroy(error));
  });
}

function metadataFor(ctx, title, extra = {}) {
  return { title, technique: 'XRR', sampleIds: [ctx.sampleId], equipmentId: ctx.toolId, measuredAt: new Date(Date.now() - 60_000).toISOString(), accessClass: 'shared', exportControl: 'not-applicable', ...extra };
}

async function handoverState(ctx, id) {
  return (await requestJson('GET', `/api/v1/handovers/${id}`, { token: ctx.member.token }, 200)).state;
}

async function waitDelivered(ctx, ids, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  const pending = new Set(ids);
  while (pending.size) {
    if (performance.now() > deadline) throw new Error(`${pending.size} handovers not delivered after ${seconds(timeoutMs)}`);
    const { rows } = await ctx.pool.query(`SELECT id, state FROM handovers WHERE id = ANY($1)`, [[...pending]]);
    for (const row of rows) {
      if (row.state === 'delivered') pending.delete(row.id);
      else if (['failed', 'rejected', 'held'].includes(row.state)) throw new Error(`handover ${row.id} is ${row.state}`);
    }
    if (pending.size) await sleep(200);
  }
}

// ---------------------------------------------------------------- 9. handover throughput

async function benchmarkHandovers(ctx, figures) {
  console.log('\n== Datasets: handover of 1,000 datasets ==');
  const ids = [];
  let next = 0;
  const createdAt = performance.now();
  await Promise.all(Array.from({ length: HANDOVERS.concurrency }, async () => {
    while (next < HANDOVERS.datasets) {
      const i = next++;
      const res = await uploadDataset(ctx.member.token, metadataFor(ctx, `Bench dataset ${i + 1}`), [{ name: 'scan.csv', data: Buffer.from(`2theta,counts\n${i},${i * 7}\n`) }]);
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.text.slice(0, 200)}`);
      ids[i] = JSON.parse(res.text).id;
    }
  }));
  console.log(`${pad('set-up')}${HANDOVERS.datasets} datasets uploaded in ${seconds(performance.now() - createdAt)}`);

  const putsBefore = ctx.receiver.putLog.length;
  const storedBefore = ctx.receiver.packages.size;
  const handoverIds = [];
  next = 0;
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: HANDOVERS.concurrency }, async () => {
    while (next < ids.length) {
      const i = next++;
      handoverIds[i] = (await requestJson('POST', `/api/v1/datasets/${ids[i]}/handover`, { token: ctx.member.token, body: {} }, 201)).id;
    }
  }));
  await waitDelivered(ctx, handoverIds, HANDOVERS.timeoutMs);
  const elapsedMs = performance.now() - startedAt;
  const stored = ctx.receiver.packages.size - storedBefore;
  const putLog = ctx.receiver.putLog.slice(putsBefore);
  const puts = putLog.length;
  const accepted = putLog.filter((put) => put.status >= 200 && put.status < 300).length;
  Object.assign(figures, {
    datasets: HANDOVERS.datasets,
    workerConcurrency: ctx.workerConcurrency,
    elapsedMs: Math.round(elapsedMs),
    perSecond: round(HANDOVERS.datasets / (elapsedMs / 1000), 1),
    storedAtReceiver: stored,
    putsAtReceiver: puts,
    acceptedAtReceiver: accepted,
    exactlyOnce: stored === HANDOVERS.datasets && accepted === HANDOVERS.datasets,
  });
  console.log(
    `${pad('1,000 handovers, all delivered')}${seconds(elapsedMs)}  ${figures.perSecond} datasets/s  (worker concurrency ${ctx.workerConcurrency}; ` +
      `receiver: ${stored} stored, ${accepted} of ${puts} PUT requests accepted)  exactly once: ${verdict(figures.exactlyOnce)}`,
  );
  if (!figures.exactlyOnce) throw new Error(`the receiver stored ${stored} packages and accepted ${accepted} PUTs for ${HANDOVERS.datasets} handovers`);
}

// ---------------------------------------------------------------- 10. one 2 GiB file

async function benchmarkBigFile(ctx, figures) {
  console.log('\n== Datasets: one 2 GiB file ==');
  const baseline = rssOf(ctx.serverPid);
  let peak = baseline;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(ctx.serverPid));
    } catch {
      /* the process is gone: the next step reports it */
    }
  }, 50);
  try {
    const fill = crypto.randomBytes(BIG.chunk);
    const uploadStarted = performance.now();
    const res = await uploadDataset(ctx.member.token, metadataFor(ctx, 'Bench 2 GiB dataset'), [{ name: 'tomography.raw', size: BIG.bytes, fill }], BIG.timeoutMs);
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.text.slice(0, 300)}`);
    const dataset = JSON.parse(res.text);
    const uploadMs = performance.now() - uploadStarted;
    const deliverStarted = performance.now();
    const handover = await requestJson('POST', `/api/v1/datasets/${dataset.id}/handover`, { token: ctx.member.token, body: {} }, 201);
    await waitDelivered(ctx, [handover.id], BIG.timeoutMs);
    const deliverMs = performance.now() - deliverStarted;
    const stored = ctx.receiver.packages.get(`${dataset.seriesId}/${dataset.version}`);
    const growthMb = (peak - baseline) / 1024 ** 2;
    Object.assign(figures, {
      bytes: BIG.bytes,
      uploadMs: Math.round(uploadMs),
      packageAndDeliveryMs: Math.round(deliverMs),
      packageBytes: stored?.size ?? null,
      rssBeforeMb: round(baseline / 1024 ** 2, 1),
      rssPeakMb: round(peak / 1024 ** 2, 1),
      rssGrowthMb: round(growthMb, 1),
      pass: growthMb < TARGETS.maxRssGrowthMb && !!stored,
    });
    console.log(`${pad('upload (streamed, SHA-256 on the way)')}${seconds(uploadMs)}  (${round(BIG.bytes / 1024 ** 2 / (uploadMs / 1000), 1)} MiB/s)`);
    console.log(`${pad('package + delivery')}${seconds(deliverMs)}  (package ${round((stored?.size ?? 0) / 1024 ** 3, 3)} GiB stored at the receiver)`);
    console.log(`${pad('service peak RSS growth')}${round(growthMb, 1)} MB  (${round(baseline / 1024 ** 2, 1)} → ${round(peak / 1024 ** 2, 1)} MB)  (target < ${TARGETS.maxRssGrowthMb} MB)  ${verdict(figures.pass)}`);
  } finally {
    clearInterval(sampler);
  }
}

// ---------------------------------------------------------------- 11. 500 files

async function benchmarkManyFiles(ctx, figures) {
  console.log('\n== Datasets: package of 500 files ==');
  const files = Array.from({ length: MANY_FILES }, (_, i) => ({ name: `frame-${String(i).padStart(4, '0')}.tif`, data: crypto.randomBytes(2048 + (i % 7) * 512) }));
  const res = await uploadDataset(ctx.member.token, metadataFor(ctx, 'Bench 500-file dataset'), files, 120_000);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.text.slice(0, 300)}`);
  const dataset = JSON.parse(res.text);
  const build = async () => {
    const t0 = performance.now();
    const res = await new Promise((resolve, reject) => {
      http.get(`${BASE_URL}/api/v1/datasets/${dataset.id}/package`, { headers: { authorization: `Bearer ${ctx.member.token}` } }, (r) => {
        const hash = crypto.createHash('sha256');
        let size = 0;
        r.on('data', (chunk) => {
          hash.update(chunk);
          size += chunk.length;
        });
        r.on('end', () => resolve({ status: r.statusCode, sha256: hash.digest('hex'), size }));
        r.on('error', reject);
      }).on('error', reject);
    });
    if (res.status !== 200) throw new Error(`GET package answered ${res.status}`);
    return { ...res, ms: performance.now() - t0 };
  };
  const first = await build();
  const second = await build();
  Object.assign(figures, { files: MANY_FILES, firstMs: round(first.ms), secondMs: round(second.ms), bytes: first.size, identical: first.sha256 === second.sha256 });
  console.log(`${pad('package build (500 files)')}${round(first.ms)} ms, again ${round(second.ms)} ms  (${round(first.size / 1024, 1)} KiB)  byte-identical: ${verdict(figures.identical)}`);
  if (!figures.identical) throw new Error('two builds of the same version differ');
}

// ---------------------------------------------------------------- entry point

async function benchmarkDatasets({ results, serverPid, pool, workerConcurrency }) {
  const figures = (results.datasets = { handovers: {}, bigFile: {}, manyFiles: {} });
  const { ReferenceReceiver } = require(path.join(ROOT, 'dist', 'handovers', 'reference-receiver.js'));
  const receiver = new ReferenceReceiver(SECRET, { keepBodies: false });
  const url = await receiver.start();
  try {
    const admin = await login(ADMIN);
    const member = await login(MEMBER);
    const centers = await requestJson('GET', '/api/v1/centers', { token: admin.token }, 200);
    const projects = await requestJson('GET', '/api/v1/projects?limit=100', { token: member.token }, 200);
    const project = projects.items.find((p) => p.code === MEMBER_PROJECT_CODE);
    const tools = await requestJson('GET', '/api/v1/equipment?limit=1', { token: member.token }, 200);
    await requestJson('POST', '/api/v1/handover-targets', { token: admin.token, body: { name: `Bench receiver ${Date.now()}`, kind: 'http', url, secret: SECRET, default: true } }, 201);
    const sample = await requestJson('POST', '/api/v1/samples', { token: member.token, body: { centerId: centers.items[0].id, projectId: project.id, name: 'Bench film', form: 'film' } }, 201);
    const ctx = { admin, member, receiver, pool, serverPid, workerConcurrency, sampleId: sample.id, toolId: tools.items[0].id };
    await part(results, 'handovers', () => benchmarkHandovers(ctx, figures.handovers));
    await part(results, 'many-files', () => benchmarkManyFiles(ctx, figures.manyFiles));
    await part(results, 'big-file', () => benchmarkBigFile(ctx, figures.bigFile));
  } finally {
    await receiver.stop();
  }
}

module.exports = { benchmarkDatasets };
