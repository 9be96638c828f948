/**
 * Pieces that the quote, report and invoice share: the title line, the issuing center, the
 * recipient, the amount-due box and the totals. Each takes its captions from the calling
 * document's layout, so the wording stays in the templates.
 */
import { Captions, loadDocumentLayout, LayoutSpec } from './document-layout';
import { DocumentFormat, DocumentTotals } from './document-format';
import type { DocumentIssuer, DocumentLanguage, DocumentRecipient, TaxSummary } from './document-types';
import { BlockItem, BOLD, DocumentWriter, INK, LEFT, RIGHT } from './document-writer';
import { clean } from './pdf-text-layout';

/** Caption names of the shared pieces, for the layout specs of the documents that draw them. */
export const PAGE_CAPTIONS = ['continued', 'footer', 'page'] as const;
export const ISSUER_CAPTIONS = ['address', 'email', 'registrationNumber'] as const;
export const REQUESTER_CAPTIONS = ['recipientName', 'project', 'contact', 'contactName'] as const;
export const TOTALS_CAPTIONS = ['subtotal', 'tax', 'total'] as const;

/** What every renderer starts from: its layout, the captions in the document's language, and how it prints values. */
export function documentContext<Section extends string, CaptionKey extends string, Tables extends Record<string, readonly string[]>>(
  name: string,
  spec: LayoutSpec<Section, CaptionKey, Tables>,
  document: { language: DocumentLanguage; issuer: DocumentIssuer },
) {
  const layout = loadDocumentLayout(name, spec);
  return { layout, captions: new Captions(layout.captions, document.language), format: new DocumentFormat(document.language, document.issuer.timezone) };
}

/** Draws a document's sections in the order its layout file gives. */
export function inLayoutOrder<Section extends string>(
  order: readonly Section[],
  sections: Record<Section, (w: DocumentWriter) => Promise<void>>,
): (w: DocumentWriter) => Promise<void> {
  return async (w) => {
    for (const section of order) await sections[section](w);
  };
}

/** The captions a shared piece needs: the calling document's layout defines at least these. */
export interface CaptionsOf<Key extends string> {
  text(key: Key, values?: Record<string, string | number>): string;
}

/** The document's title, large, with an optional marker (DRAFT, PAID) on the right. */
export function drawTitle(w: DocumentWriter, title: string, marker?: { text: string; color: string }): void {
  w.text(title, LEFT, w.y, BOLD, 20, INK.black);
  if (marker) {
    const width = w.widthOf(marker.text, BOLD, 14);
    w.rect(RIGHT - width - 12, w.y + 2, width + 12, 22, { stroke: marker.color, lineWidth: 1.2 });
    w.text(marker.text, RIGHT - width - 6, w.y + 5, BOLD, 14, marker.color);
  }
  w.space(30);
  w.hline(w.y, INK.black, 1);
  w.space(12);
}

/** The issuing center, set under the document's facts: both names (the document's language first), address, e-mail, registration number. */
export function issuerItems(issuer: DocumentIssuer, format: DocumentFormat, captions: CaptionsOf<(typeof ISSUER_CAPTIONS)[number]>): BlockItem[] {
  const [first, second] = format.centerNames(issuer);
  const items: BlockItem[] = [{ text: first, bold: true, size: 10.5, gap: 8 }];
  if (second && second !== first) items.push({ text: second, color: INK.muted, size: 8.5 });
  if (issuer.address) items.push({ label: captions.text('address'), text: clean(issuer.address), gap: 3 });
  if (issuer.contactEmail) items.push({ label: captions.text('email'), text: clean(issuer.contactEmail) });
  if (issuer.registrationNumber) items.push({ label: captions.text('registrationNumber'), text: clean(issuer.registrationNumber), bold: true });
  return items;
}

/** The organization that receives the document, with its billing address. */
export function recipientItems(recipient: Pick<DocumentRecipient, 'organizationName' | 'billingAddress'>, captions: CaptionsOf<'recipientName'>): BlockItem[] {
  const items: BlockItem[] = [{ text: captions.text('recipientName', { name: clean(recipient.organizationName) }), bold: true, size: 13 }];
  if (recipient.billingAddress) items.push({ text: clean(recipient.billingAddress, true), size: 8.5, color: INK.muted });
  return items;
}

/** The recipient of a quote or report: the organization, then the project and the person who asked. */
export function requesterItems(recipient: DocumentRecipient, captions: CaptionsOf<(typeof REQUESTER_CAPTIONS)[number]>): BlockItem[] {
  const items = recipientItems(recipient, captions);
  items.push({ label: captions.text('project'), text: `${clean(recipient.projectCode)} ${clean(recipient.projectName)}`.trim(), gap: 6 });
  if (recipient.contactName) items.push({ label: captions.text('contact'), text: captions.text('contactName', { name: clean(recipient.contactName) }) });
  return items;
}

/** A line of greeting, then the one figure the reader looks for first, framed: `お見積金額（税込） ¥3,316`. */
export async function drawAmountDue(w: DocumentWriter, greeting: string, caption: string, amount: string): Promise<void> {
  await w.blocks([{ items: [{ text: greeting }] }], 4);
  await w.blocks(
    [
      { share: 1.3, box: { stroke: INK.black, padding: 9 }, items: [{ text: caption, value: amount, bold: true, size: 13 }] },
      { share: 1, items: [] },
    ],
    14,
  );
}

/**
 * Subtotal, the tax of each rate when `rateLine` words it (`10%対象 ¥3,015　消費税 ¥301`), the
 * tax and the total, right of the page. The amounts are printed as given: the billing module
 * rounded them once per rate.
 */
export async function drawTotals(
  w: DocumentWriter,
  totals: DocumentTotals,
  format: DocumentFormat,
  captions: CaptionsOf<(typeof TOTALS_CAPTIONS)[number]>,
  rateLine?: (tax: TaxSummary) => string,
): Promise<void> {
  const items: BlockItem[] = [{ text: captions.text('subtotal'), value: format.yen(totals.subtotal) }];
  if (rateLine) for (const rate of totals.taxes) items.push({ text: rateLine(rate), size: 8, color: INK.muted });
  items.push({ text: captions.text('tax'), value: format.yen(totals.tax) });
  items.push({ text: captions.text('total'), value: format.yen(totals.total), bold: true, size: 11, gap: 3 });
  await w.blocks([{ items: [], share: 1 }, { items, share: 1, box: { fill: INK.band, padding: 8 } }]);
}
