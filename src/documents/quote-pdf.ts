/**
 * The quote (御見積書) of a service request as a PDF: who quotes to whom, the lines, the tax
 * of each rate and the total. A pure function of its input; captions, columns and the order of
 * the sections come from `templates/documents/quote.json`.
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
  REQUESTER_CAPTIONS,
  requesterItems,
  TOTALS_CAPTIONS,
} from './document-parts';
import type { QuoteDocument } from './document-types';
import { DocumentWriter, renderDocumentPdf } from './document-writer';
import { clean } from './pdf-text-layout';

const QUOTE_LAYOUT = {
  sections: ['title', 'parties', 'amountDue', 'lines', 'totals', 'notes'],
  captions: [
    ...PAGE_CAPTIONS,
    ...ISSUER_CAPTIONS,
    ...REQUESTER_CAPTIONS,
    ...TOTALS_CAPTIONS,
    'title',
    'quoteNumber',
    'requestCode',
    'issueDate',
    'validUntil',
    'issuedBy',
    'greeting',
    'amountDue',
    'taxByRate',
    'notes',
    'noLines',
  ],
  tables: { lines: ['description', 'quantity', 'unit', 'unitPrice', 'taxRate', 'amount'] },
} as const;

type QuoteSection = (typeof QUOTE_LAYOUT.sections)[number];

function checkQuote(quote: QuoteDocument): void {
  const check = new InputCheck('quote');
  check.common(quote);
  check.date(quote.issuedAt, 'issuedAt');
  check.day(quote.validUntil, 'validUntil');
  check.array(quote.lines, 'lines');
  quote.lines.forEach((line, index) => {
    check.yen(line.unitPrice, `lines[${index}].unitPrice`);
    check.yen(line.amount, `lines[${index}].amount`);
  });
  check.totals(quote);
}

/**
 * Renders the quote as a PDF into `out` and resolves when `out` has finished; on any error it
 * rejects and `out` is destroyed. The same quote renders to the same bytes (its issue time is
 * the PDF's creation date).
 */
export function renderQuotePdf(quote: QuoteDocument, out: NodeJS.WritableStream): Promise<void> {
  return renderDocumentPdf(out, () => {
    checkQuote(quote);
    const { layout, captions, format } = documentContext('quote', QUOTE_LAYOUT, quote);
    const number = clean(quote.quoteNumber);
    const [center] = format.centerNames(quote.issuer);

    const sections: Record<QuoteSection, (w: DocumentWriter) => Promise<void>> = {
      title: async (w) => drawTitle(w, captions.text('title')),

      parties: async (w) => {
        const recipient = requesterItems(quote.recipient, captions);
        const facts = [
          { label: captions.text('quoteNumber'), text: number, bold: true },
          { label: captions.text('requestCode'), text: clean(quote.requestCode) },
          { label: captions.text('issueDate'), text: format.dayOf(quote.issuedAt) },
          { label: captions.text('validUntil'), text: format.day(quote.validUntil) },
          { label: captions.text('issuedBy'), text: clean(quote.issuedBy) },
        ];
        await w.blocks([
          { items: recipient, share: 1.1 },
          { items: [...facts, ...issuerItems(quote.issuer, format, captions)], share: 1 },
        ]);
      },

      amountDue: (w) => drawAmountDue(w, captions.text('greeting'), captions.text('amountDue'), format.yen(quote.total)),

      lines: async (w) => {
        const table = w.table(captions.columns(layout.tables.lines));
        if (!quote.lines.length) await table.cells([{ text: captions.text('noLines'), span: table.columnCount }]);
        for (const line of quote.lines) {
          await table.row({
            description: clean(line.description, true),
            quantity: clean(line.quantity),
            unit: format.unit(line.unit),
            unitPrice: format.yen(line.unitPrice),
            taxRate: format.rate(line.taxRate),
            amount: format.yen(line.amount),
          });
        }
        table.end(8);
      },

      totals: (w) =>
        drawTotals(w, quote, format, captions, (rate) =>
          captions.text('taxByRate', { rate: format.rate(rate.rate), base: format.yen(rate.base), tax: format.yen(rate.tax) }),
        ),

      notes: async (w) => {
        const notes = clean(quote.notes, true);
        if (!notes) return;
        w.heading(captions.text('notes'));
        await w.flow([{ text: notes }]);
      },
    };

    return {
      language: quote.language,
      info: {
        Title: `${captions.text('title')} ${number}`,
        Author: clean(quote.issuedBy),
        Subject: `${clean(quote.recipient.organizationName)} ${clean(quote.recipient.projectCode)} ${clean(quote.requestCode)}`.trim(),
        CreationDate: quote.issuedAt,
      },
      runningHeader: captions.text('continued', { number }),
      footer: (page, pages) => ({ left: captions.text('footer', { number, center }), right: captions.text('page', { page, pages }) }),
      draw: inLayoutOrder(layout.sections, sections),
    };
  });
}
