/**
 * The analysis report (分析報告書) of a service request as a PDF (ISO/IEC 17025 §7.8): the
 * client and the request, the samples with their QR codes, methods and equipment, the work
 * sessions, the results, the datasets with the SHA-256 of every file, deviations, the amendment
 * it makes to an earlier revision, and the electronic approval signature (21 CFR 11 §11.50).
 * A pure function of its input; captions, columns and the order of the sections come from
 * `templates/documents/report.json`.
 */
import { create } from 'qrcode';
import { qrRunsPath } from '../labels/label-qr';
import { InputCheck } from './document-format';
import { documentContext, drawTitle, inLayoutOrder, ISSUER_CAPTIONS, issuerItems, PAGE_CAPTIONS, REQUESTER_CAPTIONS, requesterItems } from './document-parts';
import type { ReportDocument } from './document-types';
import { BlockItem, CellGraphic, DocumentWriter, INK, renderDocumentPdf, TABLE_HEADER_H, TABLE_ROW_H } from './document-writer';
import { clean } from './pdf-text-layout';

const REPORT_LAYOUT = {
  sections: ['title', 'amendment', 'parties', 'request', 'samples', 'methods', 'sessions', 'results', 'datasets', 'deviations', 'approval'],
  captions: [
    ...PAGE_CAPTIONS,
    ...ISSUER_CAPTIONS,
    ...REQUESTER_CAPTIONS,
    'title',
    'revisionId',
    'revision',
    'revisionNumber',
    'requestCode',
    'issueDate',
    'amendmentHeading',
    'amendment',
    'requestHeading',
    'requestedAt',
    'deadline',
    'sampleCount',
    'sampleDescription',
    'samplesHeading',
    'noSamples',
    'notReceived',
    'methodsHeading',
    'noMethods',
    'sessionsHeading',
    'noSessions',
    'resultsHeading',
    'datasetsHeading',
    'noDatasets',
    'datasetTitle',
    'datasetConditions',
    'packageUrl',
    'deviationsHeading',
    'noDeviations',
    'approvalHeading',
    'approverName',
    'approverEmail',
    'approvedAt',
    'meaning',
    'meaningApproval',
    'signatureStatement',
  ],
  tables: {
    samples: ['qr', 'code', 'name', 'received', 'condition'],
    methods: ['service', 'technique', 'equipment'],
    sessions: ['equipment', 'start', 'end', 'operator'],
    datasetFiles: ['file', 'size', 'sha256'],
  },
} as const;

type ReportSection = (typeof REPORT_LAYOUT.sections)[number];

/** Side of a sample's QR code in points (about 10 mm): small, and still read by a phone. */
const QR_SIDE = 28;
/** A longer URL makes more modules; each stays at least 0.3 mm, so the code grows instead. */
const QR_MIN_MODULE = 0.85;
/** Light margin around the code, in modules (with the cell's padding about the 4 the standard asks for). */
const QR_MARGIN_MODULES = 2;

/** The QR code of `text` (error correction M) as a cell graphic, its dark modules drawn as rectangles. */
function qrGraphic(text: string): CellGraphic {
  const qr = create(text, { errorCorrectionLevel: 'M' });
  const symbol = { version: qr.version, size: qr.modules.size, modules: qr.modules.data };
  const module = Math.max(QR_SIDE / symbol.size, QR_MIN_MODULE);
  const margin = QR_MARGIN_MODULES * module;
  const side = symbol.size * module + 2 * margin;
  return {
    width: side,
    height: side,
    draw(doc, x, y) {
      // Module units scaled once: the content stream holds small whole numbers only.
      doc.save();
      doc.transform(module, 0, 0, module, x + margin, y + margin);
      doc.addContent(qrRunsPath(symbol));
      doc.fill(INK.black);
      doc.restore();
    },
  };
}

function checkReport(report: ReportDocument): void {
  const check = new InputCheck('report');
  check.common(report);
  check.date(report.requestedAt, 'requestedAt');
  if (report.deadline !== null) check.day(report.deadline, 'deadline');
  check.object(report.approval, 'approval');
  check.date(report.approval.at, 'approval.at');
  for (const key of ['samples', 'methods', 'sessions', 'datasets', 'deviations'] as const) check.array(report[key], key);
  report.samples.forEach((sample, index) => {
    if (sample.receivedAt !== null) check.date(sample.receivedAt, `samples[${index}].receivedAt`);
  });
  report.sessions.forEach((session, index) => {
    check.date(session.start, `sessions[${index}].start`);
    check.date(session.end, `sessions[${index}].end`);
  });
  report.datasets.forEach((dataset, index) => {
    check.date(dataset.measuredAt, `datasets[${index}].measuredAt`);
    check.array(dataset.files, `datasets[${index}].files`);
  });
}

/**
 * Renders the report as a PDF into `out` and resolves when `out` has finished; on any error it
 * rejects and `out` is destroyed. The same report renders to the same bytes (the approval time
 * is the PDF's creation date).
 */
export function renderReportPdf(report: ReportDocument, out: NodeJS.WritableStream): Promise<void> {
  return renderDocumentPdf(out, () => {
    checkReport(report);
    const { layout, captions, format } = documentContext('report', REPORT_LAYOUT, report);
    const revisionId = clean(report.revisionId);
    const [center] = format.centerNames(report.issuer);

    const sections: Record<ReportSection, (w: DocumentWriter) => Promise<void>> = {
      title: async (w) => drawTitle(w, captions.text('title')),

      amendment: async (w) => {
        if (!report.amendment) return;
        const text = captions.text('amendment', { supersedes: clean(report.amendment.supersedes), reason: clean(report.amendment.reason, true) });
        const items = [{ text: captions.text('amendmentHeading'), bold: true, color: INK.red }, { text, gap: 2 }];
        await w.blocks([{ box: { stroke: INK.red, padding: 8 }, items }], 12);
      },

      parties: async (w) => {
        const client = requesterItems(report.recipient, captions);
        const facts: BlockItem[] = [
          { label: captions.text('revisionId'), text: revisionId, bold: true },
          { label: captions.text('revision'), text: captions.text('revisionNumber', { revision: report.revision }) },
          { label: captions.text('requestCode'), text: clean(report.requestCode) },
          { label: captions.text('issueDate'), text: format.dayOf(report.approval.at) },
        ];
        await w.blocks([
          { items: client, share: 1.1 },
          { items: [...facts, ...issuerItems(report.issuer, format, captions)], share: 1 },
        ]);
      },

      request: async (w) => {
        w.heading(captions.text('requestHeading'));
        await w.flow(
          [
            { label: captions.text('requestedAt'), text: format.instant(report.requestedAt) },
            { label: captions.text('deadline'), text: report.deadline ? format.day(report.deadline) : '—' },
            { label: captions.text('sampleCount'), text: String(report.sampleCount) },
            { label: captions.text('sampleDescription'), text: clean(report.sampleDescription, true) || '—' },
          ],
        );
      },

      samples: (w) =>
        w.tableSection(captions.text('samplesHeading'), captions.columns(layout.tables.samples), report.samples, captions.text('noSamples'), (sample) => ({
          qr: sample.labelUrl ? { text: '', graphic: qrGraphic(sample.labelUrl) } : '—',
          code: { text: clean(sample.code), bold: true },
          name: clean(sample.name, true),
          received: sample.receivedAt ? format.instant(sample.receivedAt) : captions.text('notReceived'),
          condition: clean(sample.condition, true) || '—',
        })),

      methods: (w) =>
        w.tableSection(captions.text('methodsHeading'), captions.columns(layout.tables.methods), report.methods, captions.text('noMethods'), (method) => ({
          service: clean(method.service),
          technique: clean(method.technique),
          equipment: method.equipment.map((name) => clean(name)).join(', ') || '—',
        })),

      sessions: (w) =>
        w.tableSection(captions.text('sessionsHeading'), captions.columns(layout.tables.sessions), report.sessions, captions.text('noSessions'), (session) => ({
          equipment: clean(session.equipment),
          start: format.instant(session.start),
          // The end of a session that ends the day it started shows only its time.
          end: format.dayOf(session.start) === format.dayOf(session.end) ? format.clock(session.end) : format.instant(session.end),
          operator: clean(session.operator),
        })),

      results: async (w) => {
        w.heading(captions.text('resultsHeading'));
        await w.flow([{ text: clean(report.resultsSummary, true) || '—', size: 9.5 }]);
      },

      datasets: async (w) => {
        // The heading stays with the table header, the first dataset's title and its first file.
        w.heading(captions.text('datasetsHeading'), TABLE_HEADER_H + 3 * TABLE_ROW_H);
        if (!report.datasets.length) {
          await w.flow([{ text: captions.text('noDatasets'), color: INK.muted }]);
          return;
        }
        const table = w.table(captions.columns(layout.tables.datasetFiles), 3 * TABLE_ROW_H);
        for (const dataset of report.datasets) {
          const title = captions.text('datasetTitle', {
            title: clean(dataset.title),
            technique: clean(dataset.technique),
            version: dataset.version,
            measuredAt: format.instant(dataset.measuredAt),
          });
          await table.cells([{ text: title, bold: true, span: table.columnCount }], { background: INK.band, keepWithNext: 2 * TABLE_ROW_H });
          if (dataset.conditions?.length) {
            const list = dataset.conditions.map((c) => `${clean(c.name)} = ${clean(c.value)}`).join(', ');
            await table.cells([{ text: captions.text('datasetConditions', { conditions: list }), span: table.columnCount }]);
          }
          for (const file of dataset.files) {
            await table.row({ file: clean(file.name), size: format.bytes(file.size), sha256: clean(file.sha256) });
          }
          await table.cells([{ text: captions.text('packageUrl', { url: clean(dataset.packageUrl) }), color: INK.muted, span: table.columnCount }]);
        }
        table.end();
      },

      deviations: async (w) => {
        w.heading(captions.text('deviationsHeading'));
        const deviations = report.deviations.map((text) => clean(text, true)).filter(Boolean);
        await w.flow(deviations.length ? deviations.map((text) => ({ text: `・${text}` })) : [{ text: captions.text('noDeviations') }]);
      },

      approval: async (w) => {
        const { approval } = report;
        const items: BlockItem[] = [
          { text: captions.text('approvalHeading'), bold: true, size: 11 },
          { label: captions.text('approverName'), text: clean(approval.name), bold: true, gap: 4 },
          { label: captions.text('approverEmail'), text: clean(approval.email) },
          { label: captions.text('approvedAt'), text: format.instant(approval.at) },
          { label: captions.text('meaning'), text: captions.text('meaningApproval') },
          { text: captions.text('signatureStatement'), size: 8, color: INK.muted, gap: 6 },
        ];
        w.space(6);
        await w.blocks([{ items, box: { stroke: INK.black, padding: 10 } }]);
      },
    };

    return {
      language: report.language,
      info: {
        Title: `${captions.text('title')} ${revisionId}`,
        Author: clean(report.approval.name),
        Subject: `${clean(report.recipient.organizationName)} ${clean(report.recipient.projectCode)} ${clean(report.requestCode)}`.trim(),
        CreationDate: report.approval.at,
      },
      runningHeader: captions.text('continued', { revisionId }),
      footer: (page, pages) => ({ left: captions.text('footer', { revisionId, center }), right: captions.text('page', { page, pages }) }),
      draw: inLayoutOrder(layout.sections, sections),
    };
  });
}
