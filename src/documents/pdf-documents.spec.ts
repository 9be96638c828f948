import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import jsQR from 'jsqr';
import PDFDocument from 'pdfkit';
import { loadFonts } from '../labels/label-render';
import { openPdfs, readRgba } from '../labels/testing/pdf-raster';
import { ExtractedPdf, extractText } from '../samples/testing/pdf-text';
import { parseDocumentLayout } from './document-layout';
import { renderInvoicePdf, renderQuotePdf, renderReportPdf } from './pdf-documents';
import { wrap } from './pdf-text-layout';
import {
  FIXTURE_CENTER_EN,
  FIXTURE_CENTER_JA,
  FIXTURE_ORGANIZATION,
  FIXTURE_REGISTRATION_NUMBER,
  FIXTURE_REPORT_APPROVER,
  invoiceFixture,
  longReportFixture,
  quoteFixture,
  reportFixture,
} from './testing/document-fixtures';

type Renderer<T> = (document: T, out: NodeJS.WritableStream) => Promise<void>;

/** The PDF as an HTTP client would receive it. */
async function pdfOf<T>(renderer: Renderer<T>, document: T): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await renderer(document, out);
  return Buffer.concat(chunks);
}

/** Text without white space: where MuPDF or the wrapping puts line breaks does not matter. */
const squeeze = (text: string) => text.replace(/\s+/g, '');
const allText = (pdf: ExtractedPdf) => pdf.pages.join('\n');

/**
 * Counts turns of the event loop while `work` runs and the longest time between two: an API
 * in the same process answers requests in those turns.
 */
async function eventLoopDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number; longestGapMs: number; totalMs: number }> {
  let turns = 0;
  let longestGapMs = 0;
  let last = performance.now();
  let running = true;
  const turn = () => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    turns++;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  const started = performance.now();
  const result = await work();
  running = false;
  return { result, turns, longestGapMs, totalMs: performance.now() - started };
}

describe('quote, report and invoice PDFs', () => {
  const quoteJa = quoteFixture('ja');
  const reportJa = reportFixture('ja');
  const reportEn = reportFixture('en', { amended: false, deviations: [] });
  const invoiceJa = invoiceFixture('ja');
  const draftEn = invoiceFixture('en', { draft: true });

  const pdfs: Record<string, Buffer> = {};
  const text: Record<string, ExtractedPdf> = {};

  beforeAll(async () => {
    pdfs.quoteJa = await pdfOf(renderQuotePdf, quoteJa);
    pdfs.quoteEn = await pdfOf(renderQuotePdf, quoteFixture('en'));
    pdfs.reportJa = await pdfOf(renderReportPdf, reportJa);
    pdfs.reportEn = await pdfOf(renderReportPdf, reportEn);
    pdfs.invoiceJa = await pdfOf(renderInvoicePdf, invoiceJa);
    pdfs.invoiceEn = await pdfOf(renderInvoicePdf, invoiceFixture('en'));
    pdfs.draftEn = await pdfOf(renderInvoicePdf, draftEn);
    pdfs.draftJa = await pdfOf(renderInvoicePdf, invoiceFixture('ja', { draft: true }));
    pdfs.creditJa = await pdfOf(renderInvoicePdf, invoiceFixture('ja', { kind: 'credit_note' }));
    const names = Object.keys(pdfs);
    const extracted = await extractText(names.map((name) => pdfs[name]));
    names.forEach((name, i) => (text[name] = extracted[i]));
  });

  it('writes A4 portrait PDFs with "page N of M" on every page', () => {
    for (const [name, pdf] of Object.entries(text)) {
      expect(pdfs[name].subarray(0, 5).toString('latin1')).toBe('%PDF-');
      for (const [width, height] of pdf.pageSizes) {
        expect(width).toBeCloseTo(595.28, 1);
        expect(height).toBeCloseTo(841.89, 1);
      }
      const japanese = name.endsWith('Ja');
      pdf.pages.forEach((page, i) => expect(page).toContain(japanese ? `${i + 1} / ${pdf.pageCount} ページ` : `page ${i + 1} of ${pdf.pageCount}`));
    }
    expect(text.reportJa.pageCount).toBeGreaterThanOrEqual(2);
    expect(text.reportJa.pages[1]).toContain('分析報告書 KNS-SR-26-0042-R2（続き）');
  });

  describe('quote', () => {
    it('prints the parties, the lines, the tax of each rate and the total in Japanese', () => {
      const all = allText(text.quoteJa);
      for (const expected of [
        '御見積書',
        '見積番号',
        'KNS-SR-26-0042-Q1',
        `${FIXTURE_ORGANIZATION} 御中`,
        '佐藤 花子 様',
        '発行日',
        '2026年11月28日',
        '有効期限',
        '2026年12月28日',
        '山田 太郎',
        FIXTURE_REGISTRATION_NUMBER,
        'お見積金額（税込）',
        '¥1,500',
        '-¥500',
        '合計（税込）',
        '¥3,316',
        '試料の返却送料は別途ご負担ください。',
      ]) {
        expect(all).toContain(expected);
      }
      expect(squeeze(all)).toContain('10%対象¥3,015消費税¥301');
      // The Japanese name of the center first, the English one under it.
      expect(all.indexOf(FIXTURE_CENTER_JA)).toBeLessThan(all.indexOf(FIXTURE_CENTER_EN));
    });

    it('prints English captions and dates in English', () => {
      const all = allText(text.quoteEn);
      for (const expected of ['Quotation', 'Quote no.', 'Issue date', '28 Nov 2026', 'Valid until', '28 Dec 2026', 'Total (tax included)', '¥3,316']) {
        expect(all).toContain(expected);
      }
      expect(squeeze(all)).toContain('10%items¥3,015,consumptiontax¥301');
      expect(all).not.toContain('御見積書');
      expect(all.indexOf(FIXTURE_CENTER_EN)).toBeLessThan(all.indexOf(FIXTURE_CENTER_JA));
    });
  });

  describe('report', () => {
    it('prints the request, samples, sessions, datasets with full hashes, the amendment and the signature in Japanese', () => {
      const all = allText(text.reportJa);
      for (const expected of [
        '分析報告書',
        'KNS-SR-26-0042-R2',
        '第2版',
        '試料コード',
        'KNS-26-000123',
        '未受領',
        '外周部に微小な欠けあり',
        'XRD-01 (Rigaku SmartLab)',
        '2026年11月10日 09:00 +09:00',
        '結果の概要',
        'ロッキングカーブ半値幅',
        '逸脱・特記事項',
        '試料 W-4 は未着のため測定対象外とした。',
        FIXTURE_REPORT_APPROVER,
        'suzuki@kanagawa-pdc.example.jp',
        '2026年11月28日 14:30 +09:00',
        '署名の意味',
      ]) {
        expect(all).toContain(expected);
      }
      const squeezed = squeeze(all);
      expect(squeezed).toContain(squeeze('本報告書は KNS-SR-26-0042-R1 を置き換えるものです。理由：試料 W-3 の測定条件の誤記を訂正'));
      for (const dataset of reportJa.datasets) {
        expect(squeezed).toContain(squeeze(dataset.packageUrl));
        for (const file of dataset.files) expect(squeezed).toContain(file.sha256);
      }
      expect(squeezed).toContain('パスワードを再入力したうえで、電子的に署名（承認）したものです。');
      // The signature closes the report.
      const last = text.reportJa.pages[text.reportJa.pageCount - 1];
      expect(last).toContain('承認');
      expect(last).toContain(FIXTURE_REPORT_APPROVER);
    });

    it('says "None" for no deviations and prints no amendment box in English', () => {
      const all = allText(text.reportEn);
      const expectedTexts = ['Analysis report', 'Report no.', 'Summary of results', 'Deviations', 'None', 'Approval', '28 Nov 2026 14:30 +09:00', 'not received'];
      for (const expected of expectedTexts) {
        expect(all).toContain(expected);
      }
      expect(squeeze(all)).toContain(squeeze('who re-entered their password to confirm their identity when signing'));
      expect(all).not.toContain('replaces');
      expect(all).not.toContain('分析報告書');
    });

    it('draws each sample label URL as a QR code that a reader decodes', async () => {
      const report = reportFixture('ja', { samples: 1, datasets: 0 });
      const dir = mkdtempSync(join(tmpdir(), 'report-qr-'));
      try {
        const file = join(dir, 'report.pdf');
        writeFileSync(file, await pdfOf(renderReportPdf, report));
        const [result] = await openPdfs([{ pdf: file, dpi: 150, rgba: join(dir, 'page.rgba') }]);
        const page = await readRgba(join(dir, 'page.rgba'), result.raster!);
        const code = jsQR(page.data, page.width, page.height, { inversionAttempts: 'dontInvert' });
        expect(code?.data).toBe(report.samples[0].labelUrl);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('invoice', () => {
    it('carries what a qualified invoice needs, grouped by project, in Japanese', () => {
      const all = allText(text.invoiceJa);
      for (const expected of [
        '請求書',
        '請求書番号',
        'KNS-INV-2026-0117',
        `${FIXTURE_ORGANIZATION} 御中`,
        FIXTURE_CENTER_JA,
        '登録番号',
        FIXTURE_REGISTRATION_NUMBER,
        '2026年11月1日〜2026年11月30日',
        'お支払期限',
        '2026年12月31日',
        '取引日',
        'TTU-01-2026 GaN パワーデバイスの信頼性評価',
        '小計（TTU-01-2026）',
        '小計（TTU-02-2026）',
        '税率別内訳',
        '対象金額（税抜）',
        '消費税額',
        '8%',
        'ご請求金額（税込）',
      ]) {
        expect(all).toContain(expected);
      }
      // Exactly the amounts given: per project, per rate, in total.
      for (const group of invoiceJa.groups) expect(all).toContain(`¥${group.subtotal.toLocaleString('en-US')}`);
      for (const tax of invoiceJa.taxes) {
        expect(all).toContain(`¥${tax.base.toLocaleString('en-US')}`);
        expect(all).toContain(`¥${tax.tax.toLocaleString('en-US')}`);
      }
      expect(all).toContain('¥405,141');
      expect(all).not.toContain('DRAFT');
    });

    it('prints the amounts it is given, even ones that do not add up', async () => {
      const invoice = invoiceFixture('en');
      invoice.total = 1_234_567;
      invoice.taxes[0].tax = 999;
      const [pdf] = await extractText([await pdfOf(renderInvoicePdf, invoice)]);
      expect(allText(pdf)).toContain('¥1,234,567');
      expect(allText(pdf)).toContain('¥999');
    });

    it('marks a draft DRAFT on every page and gives it no number', () => {
      for (const draft of [text.draftEn, text.draftJa]) {
        draft.pages.forEach((page) => expect(page).toContain('DRAFT'));
        expect(allText(draft)).not.toContain('KNS-INV-2026-0117');
        expect(allText(draft)).toContain(FIXTURE_REGISTRATION_NUMBER);
      }
      expect(allText(text.draftEn)).toContain('none (draft)');
      expect(allText(text.draftEn)).toContain('not issued');
      expect(allText(text.draftJa)).toContain('下書き');
      expect(allText(text.draftJa)).toContain('未採番（下書き）');
      expect(allText(text.invoiceEn)).toContain('Registration no.');
      expect(allText(text.invoiceEn)).toContain('1 Nov 2026 – 30 Nov 2026');
    });

    it('titles a credit note and names the invoice it corrects, with negative amounts', () => {
      const all = allText(text.creditJa);
      expect(all).toContain('返還インボイス（クレジットノート）');
      expect(all).toContain('対象の請求書');
      expect(all).toContain('KNS-INV-2026-0117');
      expect(all).toContain('KNS-CN-2026-0003');
      expect(all).toContain('返還金額（税込）');
      expect(all).toContain('-¥405,141');
    });
  });

  describe('determinism', () => {
    it('renders the same input to the same bytes, and other input to other bytes', async () => {
      expect((await pdfOf(renderQuotePdf, quoteFixture('ja'))).equals(pdfs.quoteJa)).toBe(true);
      expect((await pdfOf(renderReportPdf, reportFixture('ja'))).equals(pdfs.reportJa)).toBe(true);
      expect((await pdfOf(renderInvoicePdf, invoiceFixture('ja'))).equals(pdfs.invoiceJa)).toBe(true);

      const otherQuote = quoteFixture('ja');
      otherQuote.lines[0].description = 'XRD-02 X線回折測定';
      expect((await pdfOf(renderQuotePdf, otherQuote)).equals(pdfs.quoteJa)).toBe(false);
      expect(pdfs.quoteEn.equals(pdfs.quoteJa)).toBe(false);
      const laterApproval = reportFixture('ja');
      laterApproval.approval.at = new Date(laterApproval.approval.at.getTime() + 60_000);
      expect((await pdfOf(renderReportPdf, laterApproval)).equals(pdfs.reportJa)).toBe(false);
    });
  });

  describe('long documents', () => {
    it('streams a 5,000-line invoice of over 100 pages, giving the event loop turns while it renders', async () => {
      const invoice = invoiceFixture('ja', { lines: 5000, projects: 12 });
      const { result: pdf, turns, longestGapMs, totalMs } = await eventLoopDuring(() => pdfOf(renderInvoicePdf, invoice));
      const [extracted] = await extractText([pdf]);
      expect(extracted.pageCount).toBeGreaterThan(100);
      // At least one turn after every page (of each pass), and no single stretch near the whole.
      expect(turns).toBeGreaterThanOrEqual(extracted.pageCount);
      expect(longestGapMs).toBeLessThan(totalMs / 4);
      extracted.pages.forEach((page, i) => expect(page).toContain(`${i + 1} / ${extracted.pageCount} ページ`));
      // The table header is repeated on every page it runs onto.
      expect(extracted.pages.filter((page) => page.includes('金額（税抜）')).length).toBeGreaterThan(100);
      const last = extracted.pages[extracted.pageCount - 1];
      expect(last).toContain(`¥${invoice.total.toLocaleString('en-US')}`);
      expect(last).toContain('小計（TTU-12-2026）');
    });

    it('renders a 20-page report, yielding after every page', async () => {
      const { result: pdf, turns } = await eventLoopDuring(() => pdfOf(renderReportPdf, longReportFixture('en')));
      const [extracted] = await extractText([pdf]);
      expect(extracted.pageCount).toBeGreaterThanOrEqual(18);
      expect(turns).toBeGreaterThanOrEqual(extracted.pageCount);
      extracted.pages.forEach((page, i) => expect(page).toContain(`page ${i + 1} of ${extracted.pageCount}`));
      expect(extracted.pages[extracted.pageCount - 1]).toContain('Approval');
    });
  });

  describe('failures', () => {
    it('rejects invalid input before writing anything and destroys the destination', async () => {
      const quote = quoteFixture('ja');
      quote.issuer.timezone = 'Mars/Olympus_Mons';
      let written = 0;
      const out = new Writable({
        write(chunk: Buffer, _encoding, done) {
          written += chunk.length;
          done();
        },
      });
      await expect(renderQuotePdf(quote, out)).rejects.toThrow('unknown time zone "Mars/Olympus_Mons"');
      expect(out.destroyed).toBe(true);
      expect(written).toBe(0);

      const invoice = invoiceFixture('ja');
      invoice.groups[1].lines[0].amount = 10.5;
      await expect(pdfOf(renderInvoicePdf, invoice)).rejects.toThrow('groups[1].lines[0].amount must be a whole number of yen');
      const report = reportFixture('en');
      report.approval.at = new Date(Number.NaN);
      await expect(pdfOf(renderReportPdf, report)).rejects.toThrow('approval.at is not a valid date');
    });

    it('rejects when the destination fails half-way through a long invoice', async () => {
      let received = 0;
      const out = new Writable({
        write(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          done(received > 50_000 ? new Error('client went away') : null);
        },
      });
      await expect(renderInvoicePdf(invoiceFixture('ja', { lines: 2000 }), out)).rejects.toThrow('client went away');
      expect(out.destroyed).toBe(true);
    });

    it('refuses a layout file with a missing caption, an unknown section or a bad column', () => {
      const spec = { sections: ['title', 'lines'], captions: ['title'], tables: { lines: ['description', 'amount'] } } as const;
      const column = (key: string) => ({ key, caption: { ja: '品目', en: 'Item' }, width: 1, align: 'left' });
      const good = {
        sections: ['lines', 'title'],
        captions: { title: { ja: '見積書', en: 'Quote' } },
        tables: { lines: [column('amount'), column('description')] },
      };
      const parse = (json: unknown) => parseDocumentLayout(json, spec, 'quote.json');
      expect(parse(good).sections).toEqual(['lines', 'title']);
      expect(() => parse({ ...good, captions: { title: { ja: '見積書' } } })).toThrow('captions.title needs non-empty "ja" and "en" strings');
      expect(() => parse({ ...good, sections: ['title', 'lines', 'extras'] })).toThrow('sections: unknown extras');
      expect(() => parse({ ...good, tables: { lines: [column('amount')] } })).toThrow('tables.lines keys: missing description');
    });
  });

  it('wraps Japanese between characters, never starting a line with closing punctuation', async () => {
    const fonts = await loadFonts();
    const doc = new PDFDocument({ autoFirstPage: false });
    doc.registerFont('jp', fonts.regular);
    doc.font('jp').fontSize(9);
    const text = '全試料で半値幅は仕様を満たす。ウェハ W-3（6 インチ）はわずかに傾いている、成長条件と整合する。'.repeat(4);
    const lines = wrap(doc, text, 120);
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) {
      expect(doc.widthOfString(line)).toBeLessThanOrEqual(120);
      expect(line).not.toMatch(/^[、。）]/);
      expect(line).not.toMatch(/（$/);
    }
    expect(squeeze(lines.join(''))).toBe(squeeze(text));
    doc.end();
  });
});
