'use strict';
/**
 * Billing benchmark, run by bench/run.js on its restarted instance.
 *
 * 12. Monthly invoice of one organization with 5,000 charges. The charges (instrument time,
 *     staff time and analysis services at 10 % and 8 %, over the demo organization's projects,
 *     spread over one month) are inserted in bulk with SQL, as the worker would have recorded
 *     them one by one. Then, as the demo admin:
 *     - build: `POST /api/v1/invoices { organizationId, period, centerId }` (the draft takes
 *       the 5,000 charges, computes tax per rate, answers with the lines grouped by project);
 *     - issue: `POST /api/v1/invoices/:id/issue` (informational);
 *     - PDF: `GET /api/v1/invoices/:id.pdf`, downloaded to the last byte (Japanese, Noto Sans JP
 *       subset embedded);
 *     and the service process's peak RSS while each runs (sampled every 20 ms from
 *     /proc/<pid>/status), against its RSS just before. The invoice's stored totals are checked
 *     against the same sums computed in SQL.
 *
 * Exported: benchmarkBilling({ results, serverPid, pool }); figures go to results.billing.
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { ADMIN, BASE_URL, pad, round, seconds, requestJson, login, rssOf } = require('./lib');

const CHARGES = 5000;
const ORGANIZATION = 'Tsukuba Photonics K.K.';
const CENTER_CODE = 'KNS';
/** A month of the demo's past with no other charges of the organization, so the draft holds exactly the bench's. */
const MONTH = '2024-06';


/** Runs `work` while sampling the server's RSS; returns its result, the wall time and the peak. */
async function measured(serverPid, work) {
  const before = rssOf(serverPid);
  let peak = before;
  const sample = () => {
    try {
      peak = Math.max(peak, rssOf(serverPid));
    } catch {
      /* the process is gone: the request fails and says so */
    }
  };
  const sampler = setInterval(sample, 20);
  const startedAt = performance.now();
  try {
    const result = await work();
    sample();
    return { result, ms: performance.now() - startedAt, rssBeforeMb: round(before / 1024 ** 2, 1), rssPeakMb: round(peak / 1024 ** 2, 1) };
  } finally {
    clearInterval(sampler);
  }
}

/** Downloads a PDF to the last byte; resolves with its size and first bytes. */
function download(urlPath, token) {
  return new Promise((resolve, reject) => {
    http
      .get(`${BASE_URL}${urlPath}`, { headers: { authorization: `Bearer ${token}` }, timeout: 300_000 }, (res) => {
        let size = 0;
        let head = '';
        res.on('data', (chunk) => {
          if (!head) head = chunk.subarray(0, 5).toString('latin1');
          size += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode, size, head }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** 5,000 charges in one statement: shapes, projects, days, rates and amounts vary like a busy month's. */
async function insertCharges(pool, { centerId, organizationId, projectIds, equipmentIds }) {
  await pool.query(
    `INSERT INTO charges (center_id, organization_id, project_id, equipment_id, kind, source_kind, source_id, source_line, description,
                          quantity, unit, minutes, unit_price, amount, tax_rate, occurred_at)
     SELECT $1, $2, ($3::uuid[])[1 + i % cardinality($3::uuid[])], CASE WHEN i % 10 = 9 THEN NULL ELSE ($4::uuid[])[1 + i % cardinality($4::uuid[])] END,
            CASE WHEN i % 10 = 9 THEN 'service' WHEN i % 10 = 8 THEN 'staff_time' ELSE 'instrument_time' END,
            CASE WHEN i % 10 = 9 THEN 'service_request' ELSE 'reservation' END, gen_random_uuid(), 1,
            'BENCH-' || lpad(i::text, 5, '0') || ' ' || to_char(t, 'YYYY-MM-DD HH24:MI'),
            round((30 + (i * 7) % 450) / 60.0, 2), CASE WHEN i % 10 = 9 THEN 'sample' ELSE 'h' END,
            CASE WHEN i % 10 = 9 THEN NULL ELSE 30 + (i * 7) % 450 END,
            CASE WHEN i % 10 = 9 THEN 15005 ELSE 12000 END,
            CASE WHEN i % 10 = 9 THEN 15005 ELSE ((30 + (i * 7) % 450) * 12000 + 30) / 60 END,
            CASE WHEN i % 10 = 9 AND i % 20 = 19 THEN 8 ELSE 10 END,
            t
       FROM generate_series(0, $5::int - 1) AS i,
            LATERAL (SELECT ($6::date)::timestamp AT TIME ZONE 'Asia/Tokyo' + make_interval(mins => (i * 8581) % (29 * 24 * 60)) AS t) AS at`,
    [centerId, organizationId, projectIds, equipmentIds, CHARGES, `${MONTH}-01`],
  );
  const { rows } = await pool.query(
    `SELECT tax_rate, sum(amount)::bigint AS base FROM charges WHERE organization_id = $1 AND center_id = $2 AND invoice_id IS NULL
        AND occurred_at >= ($3::date)::timestamp AT TIME ZONE 'Asia/Tokyo' AND occurred_at < (($3::date + interval '1 month')::date)::timestamp AT TIME ZONE 'Asia/Tokyo'
      GROUP BY tax_rate`,
    [organizationId, centerId, `${MONTH}-01`],
  );
  // Tax once per rate, rounded down: what the invoice must show.
  return rows.reduce((sum, row) => sum + Number(row.base) + Math.floor((Number(row.base) * row.tax_rate) / 100), 0);
}

async function benchmarkBilling({ results, serverPid, pool }) {
  console.log('\n== Billing: monthly invoice of 5,000 charges ==');
  const figures = (results.billing = { charges: CHARGES, month: MONTH });
  const admin = await login(ADMIN);
  const centers = await requestJson('GET', '/api/v1/centers?limit=100', { token: admin.token }, 200);
  const center = centers.items.find((c) => c.code === CENTER_CODE);
  const organizations = await requestJson('GET', '/api/v1/organizations?limit=100', { token: admin.token }, 200);
  const organization = organizations.items.find((o) => o.name === ORGANIZATION);
  if (!center || !organization) throw new Error(`the demo center ${CENTER_CODE} or organization ${ORGANIZATION} is missing`);
  const projects = await requestJson('GET', `/api/v1/projects?organizationId=${organization.id}&limit=100`, { token: admin.token }, 200);
  const tools = await requestJson('GET', `/api/v1/equipment?centerId=${center.id}&limit=20`, { token: admin.token }, 200);
  const projectIds = projects.items.filter((p) => p.organizationId === organization.id).map((p) => p.id);
  if (!projectIds.length || !tools.items.length) throw new Error('the demo organization has no project, or the center no equipment');

  const insertStarted = performance.now();
  const expectedTotal = await insertCharges(pool, { centerId: center.id, organizationId: organization.id, projectIds, equipmentIds: tools.items.map((t) => t.id) });
  console.log(`${pad('set-up')}${CHARGES} charges over ${projectIds.length} project(s) inserted in ${seconds(performance.now() - insertStarted)} (SQL)`);

  const build = await measured(serverPid, () =>
    requestJson('POST', '/api/v1/invoices', { token: admin.token, body: { organizationId: organization.id, period: MONTH, centerId: center.id }, timeoutMs: 300_000 }, 201),
  );
  const draft = build.result;
  if (draft.lineCount !== CHARGES || draft.total !== expectedTotal) {
    throw new Error(`the draft holds ${draft.lineCount} lines totalling ¥${draft.total}; expected ${CHARGES} lines totalling ¥${expectedTotal}`);
  }
  const issue = await measured(serverPid, () => requestJson('POST', `/api/v1/invoices/${draft.id}/issue`, { token: admin.token, timeoutMs: 300_000 }, 200));
  const pdf = await measured(serverPid, () => download(`/api/v1/invoices/${draft.id}.pdf`, admin.token));
  if (pdf.result.status !== 200 || pdf.result.head !== '%PDF-') throw new Error(`GET /api/v1/invoices/${draft.id}.pdf answered ${pdf.result.status} (${pdf.result.head})`);

  Object.assign(figures, {
    number: issue.result.number,
    total: draft.total,
    taxes: draft.taxes,
    groups: draft.groups.length,
    buildMs: Math.round(build.ms),
    buildRssBeforeMb: build.rssBeforeMb,
    buildRssPeakMb: build.rssPeakMb,
    issueMs: Math.round(issue.ms),
    pdfMs: Math.round(pdf.ms),
    pdfBytes: pdf.result.size,
    pdfRssBeforeMb: pdf.rssBeforeMb,
    pdfRssPeakMb: pdf.rssPeakMb,
    peakRssMb: Math.max(build.rssPeakMb, issue.rssPeakMb, pdf.rssPeakMb),
  });
  console.log(`${pad('build (POST /invoices)')}${seconds(build.ms)}  peak RSS ${build.rssPeakMb} MB (before ${build.rssBeforeMb} MB)  total ¥${draft.total.toLocaleString('en-US')} in ${draft.groups.length} project group(s)`);
  console.log(`${pad('issue (informational)')}${seconds(issue.ms)}  ${issue.result.number}`);
  console.log(`${pad('PDF (GET /invoices/:id.pdf)')}${seconds(pdf.ms)}  ${round(pdf.result.size / 1024, 1)} KiB  peak RSS ${pdf.rssPeakMb} MB (before ${pdf.rssBeforeMb} MB)`);
  console.log(`${pad('service peak RSS, all three')}${figures.peakRssMb} MB`);
}

module.exports = { benchmarkBilling };
