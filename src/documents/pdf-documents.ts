/**
 * The quote, analysis report and invoice PDFs: pure renderers of the plain data in
 * document-types.ts (no NestJS, no database), drawn by the layout engine in document-writer.ts
 * from the layouts in templates/documents/. Each resolves when `out` has finished, and rejects
 * (destroying `out`) on bad input or a failing destination.
 */
export { renderInvoicePdf } from './invoice-pdf';
export { renderQuotePdf } from './quote-pdf';
export { renderReportPdf } from './report-pdf';
