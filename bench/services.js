'use strict';
/**
 * Service report benchmark, run by bench/run.js on its restarted instance.
 *
 * 13. 100 signed reports of about 20 pages each, rendered by the worker at once. The reports
 *     (100 delivered requests of the demo client, each with 100 samples with QR codes, 20
 *     datasets of 12 files with their SHA-256, a 90-paragraph results summary in Japanese and
 *     English, deviations, an amendment note and the signature block) are inserted with SQL
 *     together with their outbox rows in one transaction, as 100 deliveries would have left
 *     them. The outbox relay queues them; the worker renders and stores each PDF. Printed:
 *     - reports/s from the commit until the last report's file and SHA-256 are recorded, and
 *       the page count and size of one report (a worker process renders one report at a time:
 *       rendering is CPU work on its one thread);
 *     - the API's latency on `GET /health/ready` meanwhile (one probe every 25 ms): p50, p95
 *       and max, against the same probe on the idle instance before. PDF work yields to the
 *       event loop after every page, so the API keeps answering even in the one-process
 *       `npm start` that the bench runs (in production the worker is its own process).
 *
 * Exported: benchmarkServiceReports({ results, pool, dataDir }); figures go to results.services.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { BASE_URL, pad, percentile, round, seconds, sleep } = require('./lib');

const REPORTS = 100;
const SIZE = { samples: 100, datasets: 20, filesPerDataset: 12, paragraphs: 90 };
const TARGETS = { minPages: 18 };
const PROBE_EVERY_MS = 25;
const TIMEOUT_MS = 600_000;
const ORGANIZATION = 'Tsukuba Photonics K.K.';
const PROJECT_CODE = 'TP-2026-GAN';
const STAFF_EMAIL = 'staff@foundry-hub.local';

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

const PARAGRAPH =
  'GaN-on-Si エピウェハについて (0002) 面のロッキングカーブ半値幅と断面 SEM を評価した。全試料で 300 arcsec 以下であり、依頼時の仕様を満たす。' +
  'The (0002) rocking-curve widths of all wafers are below 300 arcsec, within the specification of the request; cross-sections show no voids at the AlN nucleation layer.';

/** The frozen content of one report, as the services module stores it (instants as ISO strings). */
function reportContent(n, { requestCode, revisionId, center }) {
  const at = (day, hour) => new Date(Date.UTC(2026, 10, day, hour - 9, 0, 0)).toISOString();
  return {
    language: n % 4 === 3 ? 'en' : 'ja',
    issuer: { centerCode: center.code, nameJa: center.name_ja, nameEn: center.name_en, address: center.address, contactEmail: center.contact_email, registrationNumber: center.invoice_registration_number, timezone: center.timezone },
    recipient: { organizationName: 'つくばフォトニクス株式会社', billingAddress: '2-1-1 Sengen, Tsukuba, Ibaraki', projectCode: PROJECT_CODE, projectName: 'GaN power devices', contactName: 'Demo Member' },
    requestCode,
    revisionId,
    revision: 1,
    sampleCount: SIZE.samples,
    sampleDescription: 'GaN-on-Si エピウェハ（6 インチ、Si(111) 基板）から切り出したチップ。窒素封入ケースで持ち込み。',
    requestedAt: at(2, 14),
    deadline: '2026-11-30',
    samples: Array.from({ length: SIZE.samples }, (_, i) => ({
      code: `KNS-26-${String(100000 + n * SIZE.samples + i).padStart(6, '0')}`,
      name: `GaN-on-Si チップ ${n + 1}-${i + 1}`,
      labelUrl: `HTTP://LOCALHOST:3000/S/${crypto.createHash('md5').update(`${n}-${i}`).digest('hex').slice(0, 10).toUpperCase()}`,
      receivedAt: at(3, 9 + (i % 8)),
      condition: i % 17 === 0 ? '外周部に微小な欠けあり / minor edge chipping' : '良好 / good',
    })),
    methods: [
      { service: 'XRD-TF 薄膜 XRD 測定', technique: 'XRD', equipment: ['XRD-01 X線回折装置'] },
      { service: 'SEM-IMG SEM 観察（二次電子像）', technique: 'SEM', equipment: ['SEM-01 電界放出形走査電子顕微鏡'] },
    ],
    sessions: Array.from({ length: 6 }, (_, i) => ({ equipment: i % 2 ? 'SEM-01' : 'XRD-01', start: at(10 + i, 9), end: at(10 + i, 12), operator: 'Demo Staff' })),
    resultsSummary: Array.from({ length: SIZE.paragraphs }, (_, i) => `${i + 1}. ${PARAGRAPH}`).join('\n\n'),
    datasets: Array.from({ length: SIZE.datasets }, (_, d) => ({
      title: d % 2 ? `SEM 断面観察 ${d + 1}` : `XRD ロッキングカーブ ${d + 1}`,
      technique: d % 2 ? 'SEM' : 'XRD',
      version: 1,
      measuredAt: at(10 + (d % 6), 10),
      files: Array.from({ length: SIZE.filesPerDataset }, (_, f) => ({ name: `D${d + 1}_scan_${String(f + 1).padStart(3, '0')}.${d % 2 ? 'tif' : 'xrdml'}`, sha256: sha256(`${n}/${d}/${f}`), size: 1_234_567 * (f + 1) })),
      packageUrl: `http://localhost:3000/api/v1/datasets/${crypto.randomUUID()}/package`,
    })),
    deviations: ['試料 1 件は未着のため測定対象外とした。 / One sample did not arrive and was not measured.'],
    amendment: null,
    approval: { name: 'Demo Staff', email: STAFF_EMAIL, at: at(28, 14), meaning: 'approval' },
  };
}

/** One GET /health/ready; resolves with its latency in ms (failures count as their time and are tallied). */
function probe() {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.get(`${BASE_URL}/health/ready`, { timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, ok: res.statusCode === 200 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: performance.now() - started, ok: false }));
  });
}

/** Probes every PROBE_EVERY_MS until `stop()`; returns the sorted latencies and the failures. */
function startProbing() {
  const latencies = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { ms, ok } = await probe();
      latencies.push(ms);
      if (!ok) failures++;
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { latencies: latencies.sort((a, b) => a - b), failures };
  };
}

const latencySummary = ({ latencies, failures }) => ({
  probes: latencies.length,
  failures,
  p50Ms: round(percentile(latencies, 50)),
  p95Ms: round(percentile(latencies, 95)),
  maxMs: round(latencies[latencies.length - 1] ?? 0),
});

async function benchmarkServiceReports({ results, pool, dataDir }) {
  console.log(`\n13. ${REPORTS} service reports of ~20 pages rendered by the worker (one at a time per worker process)`);
  const [center] = (await pool.query(`SELECT * FROM centers WHERE code = 'KNS'`)).rows;
  const [organization] = (await pool.query(`SELECT id FROM organizations WHERE name = $1`, [ORGANIZATION])).rows;
  const [project] = (await pool.query(`SELECT id FROM projects WHERE organization_id = $1 AND code = $2`, [organization.id, PROJECT_CODE])).rows;
  const [staff] = (await pool.query(`SELECT id FROM users WHERE email = $1`, [STAFF_EMAIL])).rows;

  const idle = startProbing();
  await sleep(3000);
  const idleLatency = latencySummary(await idle());

  const batch = crypto.randomBytes(3).toString('hex').toUpperCase();
  const reportIds = [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (let n = 0; n < REPORTS; n++) {
      const requestCode = `KNS-SR-B${batch}-${String(n + 1).padStart(4, '0')}`;
      const revisionId = `${requestCode}-R1`;
      const {
        rows: [request],
      } = await client.query(
        `INSERT INTO service_requests (code, center_id, organization_id, project_id, requester_id, status, sample_count, sample_description, results_summary)
         VALUES ($1, $2, $3, $4, NULL, 'delivered', $5, 'bench', 'bench') RETURNING id`,
        [requestCode, center.id, organization.id, project.id, SIZE.samples],
      );
      const content = reportContent(n, { requestCode, revisionId, center });
      const {
        rows: [report],
      } = await client.query(
        `INSERT INTO service_reports (request_id, revision, revision_id, content, approved_by, approved_at) VALUES ($1, 1, $2, $3, $4, $5) RETURNING id`,
        [request.id, revisionId, JSON.stringify(content), staff.id, content.approval.at],
      );
      reportIds.push(report.id);
      await client.query(`INSERT INTO outbox (queue, job_name, payload) VALUES ('documents', 'render-service-report', $1)`, [JSON.stringify({ reportId: report.id })]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }

  const startedAt = performance.now();
  const busy = startProbing();
  let rendered = 0;
  while (rendered < REPORTS) {
    if (performance.now() - startedAt > TIMEOUT_MS) break;
    await sleep(100);
    rendered = Number((await pool.query(`SELECT count(*) FROM service_reports WHERE id = ANY($1) AND sha256 IS NOT NULL`, [reportIds])).rows[0].count);
  }
  const elapsedMs = performance.now() - startedAt;
  const busyLatency = latencySummary(await busy());
  if (rendered < REPORTS) throw new Error(`only ${rendered} of ${REPORTS} reports rendered in ${seconds(TIMEOUT_MS)}`);

  const [sample] = (await pool.query(`SELECT storage_key, size FROM service_reports WHERE id = $1`, [reportIds[0]])).rows;
  const pdf = fs.readFileSync(path.join(dataDir, sample.storage_key));
  const pages = (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;

  const figures = {
    reports: REPORTS,
    seconds: round(elapsedMs / 1000),
    reportsPerSecond: round(REPORTS / (elapsedMs / 1000)),
    pagesPerReport: pages,
    bytesPerReport: Number(sample.size),
    healthIdle: idleLatency,
    healthDuringRendering: busyLatency,
  };
  results.services = figures;
  console.log(`  ${pad('rendered', 34)} ${REPORTS} reports in ${seconds(elapsedMs)} = ${figures.reportsPerSecond} reports/s (${pages} pages, ${round(sample.size / 1024, 1)} KiB each)`);
  console.log(`  ${pad('GET /health/ready, idle', 34)} p50 ${idleLatency.p50Ms} ms, p95 ${idleLatency.p95Ms} ms, max ${idleLatency.maxMs} ms (${idleLatency.probes} probes)`);
  console.log(
    `  ${pad('GET /health/ready, while rendering', 34)} p50 ${busyLatency.p50Ms} ms, p95 ${busyLatency.p95Ms} ms, max ${busyLatency.maxMs} ms (${busyLatency.probes} probes, ${busyLatency.failures} failed)`,
  );
  if (pages < TARGETS.minPages) results.errors.push(`services: a report has ${pages} pages, fewer than the ${TARGETS.minPages} the figure is about`);
}

module.exports = { benchmarkServiceReports };
