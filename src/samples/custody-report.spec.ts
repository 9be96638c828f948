import { Writable } from 'node:stream';
import { formatLabelId } from '../labels/label-id';
import { CustodyReport, renderCustodyReport } from './custody-report';
import { custodyReportFixture, FIXTURE_CODE, FIXTURE_LABEL_ID, FIXTURE_PARENT_CODE } from './testing/custody-report-fixture';
import { ExtractedPdf, extractText } from './testing/pdf-text';

/** A destination that keeps what it is given, as an HTTP response would send it. */
function collector(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

async function render(report: CustodyReport): Promise<Buffer> {
  const { out, bytes } = collector();
  await renderCustodyReport(report, out);
  return bytes();
}

/** Text as one string without white space: wrapping and MuPDF's line joins do not matter. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

describe('renderCustodyReport', () => {
  const okReport = custodyReportFixture();
  const brokenReport = custodyReportFixture({ brokenSeq: 37 });
  // A pathological report: a reason longer than a page, an absurd name, unknown and duplicate hazard codes.
  const edgeReport = custodyReportFixture({ events: 8, inherited: 2 });
  edgeReport.sample.hazards = ['GHS06', 'ghs02', 'XYZ9', 'GHS02'];
  edgeReport.events[5].reason = `${'長い理由。'.repeat(1500)} END-OF-REASON`;
  edgeReport.events[6].actorName = 'とても長い名前'.repeat(60);

  let pdfs: { ok: Buffer; broken: Buffer; edge: Buffer };
  let ok: ExtractedPdf;
  let broken: ExtractedPdf;
  let edge: ExtractedPdf;

  beforeAll(async () => {
    pdfs = { ok: await render(okReport), broken: await render(brokenReport), edge: await render(edgeReport) };
    [ok, broken, edge] = await extractText([pdfs.ok, pdfs.broken, pdfs.edge]);
  });

  it('writes a PDF of several A4 portrait pages', () => {
    expect(pdfs.ok.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfs.ok.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(ok.pageCount).toBeGreaterThanOrEqual(2);
    for (const [width, height] of ok.pageSizes) {
      expect(width).toBeCloseTo(595.28, 1);
      expect(height).toBeCloseTo(841.89, 1);
    }
  });

  it('shows the sample with Japanese text and times in its time zone', () => {
    const first = ok.pages[0];
    expect(first).toContain('Chain of custody / 試料管理記録');
    expect(first).toContain(FIXTURE_CODE);
    expect(first).toContain('GaN-on-Si ダイ 3-B（エッジ部）');
    expect(first).toContain('山田 太郎');
    expect(first).toContain('神奈川プロセス開発センター');
    expect(first).toContain('2026-11-28 10:15 +09:00'); // registered at 01:15 UTC
    expect(first).toContain(formatLabelId(FIXTURE_LABEL_ID));
    expect(first).toContain('GHS02');
    expect(first).toContain('GHS07');
  });

  it('lists every event, each with the first 16 hex digits of its hash, under a repeated header', () => {
    const all = ok.pages.join('\n');
    for (const event of okReport.events) expect(all).toContain(event.hash.slice(0, 16));
    expect(all).toContain('佐藤 花子');
    expect(all).toContain('on behalf of 高橋 美咲');
    expect(all).toContain(`Inherited from ${FIXTURE_PARENT_CODE}`);
    expect(all).toContain('available → on_hold');
    expect(all).toContain('目視検査で端部に欠けを確認したため保留。');
    // Every page the table runs onto starts with its header again.
    const withHeader = ok.pages.filter((page) => page.includes('Occurred / Recorded'));
    expect(withHeader.length).toBeGreaterThanOrEqual(2);
    expect(ok.pages.slice(1).some((page) => page.includes(`Custody events — ${FIXTURE_CODE} (continued)`))).toBe(true);
  });

  it('puts "page N of M", the generation time and the author on every page', () => {
    ok.pages.forEach((page, i) => {
      expect(page).toContain(`page ${i + 1} of ${ok.pageCount}`);
      expect(page).toContain('generated 2026-12-01 15:30 +09:00 by 佐藤 花子 (QA)');
    });
    expect(ok.pages[0]).toContain('page 1 of');
  });

  it('ends with the verified chain head and the sign-off block', () => {
    const last = ok.pages[ok.pageCount - 1];
    expect(okReport.chain.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(squeeze(ok.pages.join(''))).toContain(okReport.chain.headHash);
    expect(ok.pages.join('\n')).toContain(`Chain verified OK — ${okReport.chain.checked} events checked`);
    expect(last).toContain('Reviewed by / 確認者');
    expect(last).toContain('Signature / 署名');
    expect(ok.pages.join('\n')).not.toContain('BROKEN');
  });

  it('reports a broken chain with the first broken seq and reason', () => {
    const all = broken.pages.join('\n');
    expect(all).toContain('Chain BROKEN — 37 events checked');
    expect(all).toContain('First broken link: seq 37 — hash does not match the entry');
    expect(all).toContain('Chain broken here:'); // on the event's own row
    expect(all).not.toContain('Chain verified OK');
  });

  it('runs a reason longer than a page on across pages, and keeps unknown hazard codes as text', () => {
    const all = edge.pages.join('\n');
    expect(edge.pageCount).toBeGreaterThanOrEqual(3);
    expect(all).toContain('END-OF-REASON'); // nothing of the long reason is lost
    expect(all).toContain('…'); // the absurd name is cut in its cell
    expect(all).toContain('Also recorded (not a GHS pictogram): XYZ9');
    expect(edge.pages[0].match(/GHS02/g)).toHaveLength(1);
    for (const event of edgeReport.events) expect(all).toContain(event.hash.slice(0, 16));
  });

  it('renders the same report to the same bytes', async () => {
    expect((await render(okReport)).equals(pdfs.ok)).toBe(true);
  });

  it('rejects invalid input and destroys the destination', async () => {
    const report = custodyReportFixture({ events: 2, inherited: 0 });
    report.sample.timezone = 'Mars/Olympus_Mons';
    const { out } = collector();
    await expect(renderCustodyReport(report, out)).rejects.toThrow('unknown time zone "Mars/Olympus_Mons"');
    expect(out.destroyed).toBe(true);

    const undated = custodyReportFixture({ events: 2, inherited: 0 });
    undated.events[1].recordedAt = new Date(Number.NaN);
    const second = collector();
    await expect(renderCustodyReport(undated, second.out)).rejects.toThrow('events[1].recordedAt is not a valid date');
    expect(second.out.destroyed).toBe(true);
  });

  it('rejects when the destination fails', async () => {
    const out = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('client went away'));
      },
    });
    await expect(renderCustodyReport(custodyReportFixture({ events: 3, inherited: 0 }), out)).rejects.toThrow('client went away');
    expect(out.destroyed).toBe(true);
  });
});
