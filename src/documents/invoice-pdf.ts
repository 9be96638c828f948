/**
 * The invoice (請求書) or credit note (返還インボイス) of a billing period as a PDF, with what the
 * qualified-invoice system asks of it: the issuer's name and registration number, the
 * transaction dates, the descriptions, the amounts and the consumption tax of each rate, and
 * the recipient's name. Amounts are printed exactly as the billing module computed them, never
 * recomputed here. A draft says DRAFT on every page and carries no number.
 *
 * Invoices run to thousands of lines, so this is the document the engine streams for: pages
 * are written out as they are finished and the event loop gets a turn after each one.
 */
import { InputCheck } from './document-format';
import {
  documentContext,
  drawAmountDue,
  drawTitle,
  drawTotals,
  inLayoutOrder,
  ISSUER_CAPTIONS,
  issuerItems,
  PAGE_CAPTIONS,
  recipientItems,
  TOTALS_CAPTIONS,
} from './document-parts';
import type { InvoiceDocument } from './document-types';
import { BlockItem, DocumentWriter, INK, PAGE_H, PAGE_W, REGULAR, renderDocumentPdf, TABLE_ROW_H, TableCell } from './document-writer';
import { clean } from './pdf-text-layout';

const INVOICE_LAYOUT = {
  sections: ['title', 'parties', 'amountDue', 'lines', 'taxes', 'totals'],
  captions: [
    ...PAGE_CAPTIONS,
    ...ISSUER_CAPTIONS,
    ...TOTALS_CAPTIONS,
    'invoiceTitle',
    'creditNoteTitle',
    'invoiceNumber',
    'creditNoteNumber',
    'noNumber',
    'creditFor',
    'draftMarker',
    'draftWatermark',
    'draftNotice',
    'paidMarker',
    'creditedMarker',
    'issueDate',
    'notIssued',
    'period',
    'periodRange',
    'dueDate',
    'recipientName',
    'invoiceGreeting',
    'creditNoteGreeting',
    'amountDue',
    'amountCredited',
    'groupHeading',
    'groupSubtotal',
    'noLines',
    'taxesHeading',
  ],
  tables: {
    lines: ['date', 'description', 'quantity', 'unit', 'unitPrice', 'taxRate', 'amount'],
    taxes: ['rate', 'base', 'tax'],
  },
} as const;

type InvoiceSection = (typeof INVOICE_LAYOUT.sections)[number];

const WATERMARK = '#E6E6E6';
const PAID = '#1E7B34';

function checkInvoice(invoice: InvoiceDocument): void {
  const check = new InputCheck('invoice');
  check.common(invoice);
  if (invoice.kind !== 'invoice' && invoice.kind !== 'credit_note') check.fail('kind', `must be "invoice" or "credit_note", got "${String(invoice.kind)}"`);
  check.day(invoice.periodStart, 'periodStart');
  check.day(invoice.periodEnd, 'periodEnd');
  if (invoice.dueDate !== null) check.day(invoice.dueDate, 'dueDate');
  if (invoice.issuedAt !== null) check.date(invoice.issuedAt, 'issuedAt');
  check.date(invoice.generatedAt, 'generatedAt');
  check.array(invoice.groups, 'groups');
  invoice.groups.forEach((group, g) => {
    check.array(group?.lines, `groups[${g}].lines`);
    check.yen(group.subtotal, `groups[${g}].subtotal`);
    group.lines.forEach((line, index) => {
      check.day(line.date, `groups[${g}].lines[${index}].date`);
      if (line.unitPrice !== null) check.yen(line.unitPrice, `groups[${g}].lines[${index}].unitPrice`);
      check.yen(line.amount, `groups[${g}].lines[${index}].amount`);
    });
  });
  check.totals(invoice);
}

/**
 * Renders the invoice as a PDF into `out`, page by page, and resolves when `out` has finished;
 * on any error it rejects and `out` is destroyed. The same invoice renders to the same bytes
 * (`generatedAt` is the PDF's creation date).
 */
export function renderInvoicePdf(invoice: InvoiceDocument, out: NodeJS.WritableStream): Promise<void> {
  return renderDocumentPdf(out, () => {
    checkInvoice(invoice);
    const { layout, captions, format } = documentContext('invoice', INVOICE_LAYOUT, invoice);
    const credit = invoice.kind === 'credit_note';
    const draft = invoice.number === null;
    const title = captions.text(credit ? 'creditNoteTitle' : 'invoiceTitle');
    const number = draft ? captions.text('draftMarker') : clean(invoice.number);
    const [center] = format.centerNames(invoice.issuer);

    const marker = draft
      ? { text: captions.text('draftMarker'), color: INK.red }
      : invoice.status === 'paid'
        ? { text: captions.text('paidMarker'), color: PAID }
        : invoice.status === 'credited'
          ? { text: captions.text('creditedMarker'), color: INK.muted }
          : undefined;

    const sections: Record<InvoiceSection, (w: DocumentWriter) => Promise<void>> = {
      title: async (w) => {
        drawTitle(w, title, marker);
        if (draft) await w.blocks([{ items: [{ text: captions.text('draftNotice'), bold: true, color: INK.red }] }], 8);
      },

      parties: async (w) => {
        const facts: BlockItem[] = [
          { label: captions.text(credit ? 'creditNoteNumber' : 'invoiceNumber'), text: draft ? captions.text('noNumber') : number, bold: true },
        ];
        if (invoice.creditFor) facts.push({ label: captions.text('creditFor'), text: clean(invoice.creditFor) });
        facts.push(
          { label: captions.text('issueDate'), text: invoice.issuedAt ? format.dayOf(invoice.issuedAt) : captions.text('notIssued') },
          {
            label: captions.text('period'),
            text: captions.text('periodRange', { start: format.day(invoice.periodStart), end: format.day(invoice.periodEnd) }),
          },
        );
        if (invoice.dueDate) facts.push({ label: captions.text('dueDate'), text: format.day(invoice.dueDate), bold: true });
        await w.blocks([
          { items: recipientItems(invoice.recipient, captions), share: 1.1 },
          { items: [...facts, ...issuerItems(invoice.issuer, format, captions)], share: 1 },
        ]);
      },

      amountDue: (w) =>
        drawAmountDue(
          w,
          captions.text(credit ? 'creditNoteGreeting' : 'invoiceGreeting'),
          captions.text(credit ? 'amountCredited' : 'amountDue'),
          format.yen(invoice.total),
        ),

      lines: async (w) => {
        const table = w.table(captions.columns(layout.tables.lines));
        if (!invoice.groups.length) await table.cells([{ text: captions.text('noLines'), color: INK.muted, span: table.columnCount }]);
        const amountColumn = table.indexOf('amount');
        for (const group of invoice.groups) {
          const code = clean(group.projectCode);
          const heading = captions.text('groupHeading', { code, name: clean(group.projectName) });
          // The project's heading stays with its first line.
          await table.cells([{ text: heading, bold: true, span: table.columnCount }], { background: INK.band, keepWithNext: TABLE_ROW_H });
          for (const line of group.lines) {
            await table.row({
              date: format.day(line.date),
              description: clean(line.description, true),
              quantity: clean(line.quantity),
              unit: format.unit(line.unit),
              unitPrice: line.unitPrice === null ? '' : format.yen(line.unitPrice),
              taxRate: format.rate(line.taxRate),
              amount: format.yen(line.amount),
            });
          }
          // The subtotal's caption spans the columns left of the amount.
          const subtotal: TableCell[] = [{ text: format.yen(group.subtotal), bold: true }];
          if (amountColumn > 0) subtotal.unshift({ text: captions.text('groupSubtotal', { code }), bold: true, align: 'right', span: amountColumn });
          await table.cells(subtotal);
        }
        table.end();
      },

      taxes: async (w) => {
        w.heading(captions.text('taxesHeading'));
        const table = w.table(captions.columns(layout.tables.taxes));
        for (const tax of invoice.taxes) await table.row({ rate: format.rate(tax.rate), base: format.yen(tax.base), tax: format.yen(tax.tax) });
        table.end(8);
      },

      totals: (w) => drawTotals(w, invoice, format, captions),
    };

    return {
      language: invoice.language,
      info: {
        Title: `${title} ${number}`,
        Author: center,
        Subject: clean(invoice.recipient.organizationName),
        CreationDate: invoice.generatedAt,
      },
      runningHeader: captions.text('continued', { title, number }),
      footer: (page, pages) => ({ left: captions.text('footer', { title, number, center }), right: captions.text('page', { page, pages }) }),
      // Under the content of every page of a draft, so that no page of it passes for an invoice.
      decoratePage: draft
        ? (w) =>
            w.draw((doc) => {
              doc.save();
              doc.rotate(-35, { origin: [PAGE_W / 2, PAGE_H / 2] });
              doc.font(REGULAR).fontSize(96).fillColor(WATERMARK);
              const text = captions.text('draftWatermark');
              doc.text(text, PAGE_W / 2 - doc.widthOfString(text) / 2, PAGE_H / 2, { lineBreak: false, baseline: 'middle' });
              doc.restore();
            })
        : undefined,
      draw: inLayoutOrder(layout.sections, sections),
    };
  });
}
