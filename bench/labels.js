'use strict';
/**
 * Label rendering benchmark (no service, no database): the compiled label library renders
 * 1,000 and then 10,000 labels on the Brother 62 × 29 mm roll (one PDF page per label) into a
 * stream to /dev/null, each run in its own child process so that its peak RSS is its own.
 *
 * Labels come from an async generator, as they would from a database cursor: a realistic
 * sample code, a Japanese name, an owner and a date, zero to three GHS pictograms.
 *
 * Targets: >= 500 labels/s at both sizes (time from the call to the stream's finish, after a
 * warm-up sheet of 50 labels: a running service has its fonts loaded and its code compiled
 * before a sheet is asked for, as every other benchmark here warms up), and peak RSS (the kernel's maxRSS of the child) at 10,000 labels within
 * 20 % of that at 1,000 (rendering streams; memory must not grow with the batch). Each size
 * runs 3 times and the median counts: on a shared machine, one run can catch another
 * process's load, and V8 now and then sizes its heap a few MB larger.
 *
 * Exported: benchmarkLabels({ results }); figures go to results.labels. Runs alone too:
 * `node bench/labels.js` (needs `npm run build` first: it loads dist/labels/).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist', 'labels');
const CHILD_FLAG = '--child';
const MEDIA = 'brother-62x29';
const PUBLIC_URL = 'https://hub.kanagawa-foundry.example.jp';
const SIZES = [1_000, 10_000];
const RUNS_PER_SIZE = 3;
const WARMUP_LABELS = 50;
const CHILD_TIMEOUT_MS = 300_000;
const TARGETS = { minLabelsPerSecond: 500, maxRssRatio: 1.2 };

// ---------------------------------------------------------------- the child: one render

const NAMES = ['窒化ガリウム基板 エピウェハ', 'ペロブスカイト薄膜 試料', '酸化ガリウム単結晶', 'SiC パワーデバイス TEG', 'リチウムイオン電池 正極材'];
const OWNERS = ['山田 太郎 (Tsukuba Photonics)', '佐藤 花子 (Kanagawa Materials)', 'J. Smith (Yokohama Devices)'];
const HAZARDS = [[], ['GHS07'], ['GHS02', 'GHS07'], ['GHS05', 'GHS06', 'GHS08']];

async function* benchLabels(count, { generateLabelId, labelUrl }) {
  for (let i = 0; i < count; i++) {
    const labelId = generateLabelId();
    yield {
      labelId,
      url: labelUrl(PUBLIC_URL, labelId),
      title: `KNS-26-${String(i + 1).padStart(6, '0')}`,
      lines: [`${NAMES[i % NAMES.length]} #${i + 1}`, OWNERS[i % OWNERS.length], `2026-03-${String(1 + (i % 28)).padStart(2, '0')}`],
      hazards: HAZARDS[i % HAZARDS.length],
    };
  }
}

/** Renders `count` labels and prints its figures as one JSON line. Loads nothing else. */
async function runChild(count) {
  const { renderLabelsPdf } = require(path.join(DIST, 'label-render.js'));
  const ids = require(path.join(DIST, 'label-id.js'));
  const out = fs.createWriteStream(os.devNull);
  let sampledPeakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss())), 25);
  await renderLabelsPdf(benchLabels(WARMUP_LABELS, ids), MEDIA, fs.createWriteStream(os.devNull));
  const startedAt = performance.now();
  await renderLabelsPdf(benchLabels(count, ids), MEDIA, out);
  const elapsedMs = performance.now() - startedAt;
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({
      labels: count,
      elapsedMs,
      bytes: out.bytesWritten,
      // maxRSS is the kernel's high-water mark (KiB): a peak no sampler can miss.
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      sampledPeakRssBytes: Math.max(sampledPeakRss, process.memoryUsage.rss()),
    })}\n`,
  );
}

// ---------------------------------------------------------------- the parent

function spawnRun(count) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, CHILD_FLAG, String(count)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`label render of ${count} labels exited with ${signal ?? code}: ${stderr.trim().slice(0, 500)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch (error) {
        reject(new Error(`label render of ${count} labels printed no figures: ${stdout.slice(0, 300)} ${stderr.slice(0, 300)}`));
      }
    });
  });
}

const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

/** Runs both sizes, each in a fresh child process; figures go to results.labels. */
async function benchmarkLabels({ results }) {
  const { verdict, pad, round, seconds } = require('./lib');
  console.log(`\n== Labels: PDF rendering (${MEDIA}, streamed to ${os.devNull}) ==`);
  if (!fs.existsSync(path.join(DIST, 'label-render.js'))) {
    throw new Error(`${path.relative(ROOT, path.join(DIST, 'label-render.js'))} is missing: run \`npm run build\` first`);
  }
  const figures = (results.labels = { medium: MEDIA, runsPerSize: RUNS_PER_SIZE, targets: TARGETS, runs: [] });
  const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const count of SIZES) {
    const runs = [];
    for (let i = 0; i < RUNS_PER_SIZE; i++) runs.push(await spawnRun(count));
    const rates = runs.map((run) => count / (run.elapsedMs / 1000));
    const rate = median(rates);
    const peakRss = median(runs.map((run) => run.maxRssBytes));
    const typical = runs[rates.indexOf(rate)];
    const entry = {
      labels: count,
      labelsPerSecond: round(rate, 1),
      peakRssMb: round(peakRss / (1024 * 1024), 1),
      durationMs: Math.round(typical.elapsedMs),
      bytes: typical.bytes,
      bytesPerLabel: Math.round(typical.bytes / count),
      each: runs.map((run, i) => ({
        labelsPerSecond: round(rates[i], 1),
        peakRssMb: round(run.maxRssBytes / (1024 * 1024), 1),
        sampledPeakRssMb: round(run.sampledPeakRssBytes / (1024 * 1024), 1),
      })),
      pass: rate >= TARGETS.minLabelsPerSecond,
    };
    figures.runs.push(entry);
    console.log(
      `${pad(`${count.toLocaleString('en-US')} labels`)}${entry.labelsPerSecond} labels/s  peak RSS ${mb(peakRss)} MB  ` +
        `(median of ${RUNS_PER_SIZE}: ${entry.each.map((run) => `${run.labelsPerSecond}/s ${run.peakRssMb} MB`).join(', ')}; ` +
        `${seconds(typical.elapsedMs)}, ${(typical.bytes / 1024).toFixed(0)} KB, ${entry.bytesPerLabel} B/label)  ` +
        `(target >= ${TARGETS.minLabelsPerSecond} labels/s)  ${verdict(entry.pass)}`,
    );
  }
  const [small, large] = figures.runs;
  figures.rssRatio = round(large.peakRssMb / small.peakRssMb, 3);
  figures.rssPass = figures.rssRatio <= TARGETS.maxRssRatio;
  console.log(
    `${pad('peak RSS 10,000 / 1,000 labels')}${figures.rssRatio.toFixed(3)}  (${large.peakRssMb} MB / ${small.peakRssMb} MB)  ` +
      `(target <= ${TARGETS.maxRssRatio})  ${verdict(figures.rssPass)}`,
  );
  figures.pass = figures.runs.every((entry) => entry.pass) && figures.rssPass;
}

module.exports = { benchmarkLabels };

if (require.main === module) {
  if (process.argv[2] === CHILD_FLAG) {
    runChild(Number(process.argv[3])).catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
  } else {
    const results = {};
    benchmarkLabels({ results }).catch((error) => {
      console.error(`\nERROR: ${error.message}`);
      process.exitCode = 1;
    });
  }
}
