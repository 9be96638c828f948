/**
 * Label rendering: PDF for Brother QL rolls, Zebra rolls and office sheets, ZPL II for Zebra
 * printers driven directly. Pure functions of their input: no NestJS, no database, so the
 * API, the worker and the benchmarks all use the same code.
 */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import { ASCENT, clean, fit } from '../documents/pdf-text-layout';
import { drawGhsPictogram, GhsCode, isGhsCode } from './ghs-pictograms';
import { formatLabelId, isQrAlphanumeric, parseLabelId } from './label-id';
import { labelMedia, LABEL_MEDIA, LabelMedia, LabelMediaName, labelsPerPage, mmToPt, pageSizePt } from './label-media';
import { encodeLabelQr, labelCellDots, placeQr, QrErrorCorrection, qrRunsPath } from './label-qr';

export { qrDotsPerModule } from './label-qr';
export type { QrErrorCorrection } from './label-qr';

export interface LabelContent {
  /** The label's ID, `7K3M9QX24P` (see label-id.ts). */
  labelId: string;
  /** What the QR code carries: `labelUrl(PUBLIC_URL, labelId)`, upper-case. */
  url: string;
  /** The bold first line, typically the sample code, e.g. `KNS-26-000123`. */
  title: string;
  /** Further lines (name, owner, date); Japanese is fine. Lines that do not fit are left out. */
  lines: string[];
  /** GHS pictogram codes, `GHS01` … `GHS09`. */
  hazards: string[];
}

export interface RenderLabelsOptions {
  /** M (default, DESIGN.md) or Q for labels that live in solvents, cold rooms and furnaces. */
  errorCorrection?: QrErrorCorrection;
}

// ---------------------------------------------------------------- fonts

/**
 * Noto Sans JP, regular and bold, as TrueType files. Resolved through the package, not a
 * path relative to this file, so it works from src/ (tests) and dist/ alike. Other PDF
 * renderers (quotes, reports, chain of custody) use the same files.
 */
export function pdfFontPaths(): { regular: string; bold: string } {
  return {
    regular: require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf'),
    bold: require.resolve('@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf'),
  };
}

/**
 * The two font files (5.5 MB each), read once per process: every PDF after the first starts
 * without touching the disk. pdfkit parses them per document and embeds only the glyphs used.
 */
let fontData: Promise<{ regular: Buffer; bold: Buffer }> | undefined;

export function loadFonts(): Promise<{ regular: Buffer; bold: Buffer }> {
  if (!fontData) {
    const paths = pdfFontPaths();
    fontData = Promise.all([readFile(paths.regular), readFile(paths.bold)]).then(([regular, bold]) => ({ regular, bold }));
    fontData.catch(() => (fontData = undefined)); // a failed read is retried by the next render
  }
  return fontData;
}

const FONT_REGULAR = 'NotoSansJP-Regular';
const FONT_BOLD = 'NotoSansJP-Bold';

// ---------------------------------------------------------------- input

interface NormalizedLabel {
  id: string;
  url: string;
  title: string;
  lines: string[];
  hazards: GhsCode[];
}

/**
 * Checks one label before anything of it is drawn. The URL must end in the label's own ID:
 * a QR code that points at another label than the printed ID is the one mistake a label
 * must never make. Unknown hazard codes are an error, not something to skip silently.
 */
function normalizeLabel(label: LabelContent, index: number): NormalizedLabel {
  const where = `label ${index + 1}`;
  if (!label || typeof label !== 'object') throw new TypeError(`${where}: not a label`);
  const parsed = parseLabelId(label.labelId);
  if (!parsed.ok) throw new TypeError(`${where}: "${label.labelId}" is not a valid label ID (${parsed.reason})`);
  const url = typeof label.url === 'string' ? label.url : '';
  if (!isQrAlphanumeric(url) || !url.endsWith(`/S/${parsed.id}`)) {
    throw new TypeError(`${where}: url "${url}" is not the upper-case label URL of ${parsed.id} (build it with labelUrl())`);
  }
  const hazards: GhsCode[] = [];
  for (const code of label.hazards ?? []) {
    const normalized = clean(code).toUpperCase();
    if (!isGhsCode(normalized)) throw new RangeError(`${where}: unknown GHS pictogram "${code}"`);
    if (!hazards.includes(normalized)) hazards.push(normalized);
  }
  return {
    id: parsed.id,
    url,
    title: clean(label.title),
    lines: (label.lines ?? []).map((line) => clean(line)).filter((line) => line.length > 0),
    hazards,
  };
}

function checkErrorCorrection(level: unknown): QrErrorCorrection {
  if (level === undefined) return 'M';
  if (level === 'M' || level === 'Q') return level;
  throw new RangeError(`error correction must be "M" or "Q", got "${String(level)}"`);
}

// ---------------------------------------------------------------- PDF: one label

type Doc = typeof PDFDocument;

/** Where glyphs sit below the baseline and how far lines are apart, as shares of the font size (Noto Sans JP). */
const DESCENT = 0.14;
const LINE_PITCH = 1.2;

function drawText(doc: Doc, font: string, size: number, text: string, x: number, baseline: number, maxWidth: number): void {
  doc.font(font).fontSize(size);
  const fitted = fit(doc, text, maxWidth);
  // lineBreak false: no wrapping (and no automatic page breaks); baseline: y is the baseline.
  if (fitted) doc.text(fitted, x, baseline, { lineBreak: false, baseline: 'alphabetic' });
}

/**
 * One row of pictograms from (left, bottom) to the right, at most `width` wide. When they do
 * not fit they shrink to 60 %; beyond that the last place shows how many were left out. The
 * first ones are kept: callers list the most severe hazard first.
 */
function drawHazardRow(doc: Doc, hazards: readonly GhsCode[], left: number, bottom: number, width: number, size: number, textPt: number): void {
  const gap = size * 0.06;
  const fitting = (s: number) => Math.floor((width + gap) / (s + gap));
  let pictogram = size;
  if (fitting(size) < hazards.length) pictogram = Math.max(size * 0.6, (width - gap * (hazards.length - 1)) / hazards.length);
  let shown = Math.min(hazards.length, fitting(pictogram));
  if (shown < hazards.length) shown = Math.max(0, shown - 1);
  for (let i = 0; i < shown; i++) drawGhsPictogram(doc, hazards[i], left + i * (pictogram + gap), bottom - pictogram, pictogram);
  if (shown < hazards.length) {
    const x = left + shown * (pictogram + gap);
    drawText(doc, FONT_BOLD, textPt, `+${hazards.length - shown}`, x, bottom - (pictogram - textPt * ASCENT) / 2, left + width - x);
  }
}

/**
 * Label `slot` of the current page: the QR code on the left, vertically centred, on whole
 * printer dots; to its right, past the quiet zone, the title, the lines, the pictograms and
 * the ID as printed for people (to type when the code cannot be read). What does not fit is
 * truncated or, for surplus lines, left out; the title, ID and pictograms come first.
 */
function drawLabel(doc: Doc, media: LabelMedia, slot: number, label: NormalizedLabel, errorCorrection: QrErrorCorrection): void {
  const cell = labelCellDots(media, slot);
  const symbol = encodeLabelQr(label.url, errorCorrection);
  const qr = placeQr(cell, symbol.size);
  const pt = 72 / media.dpi; // one printer dot in points

  // Modules in module units, scaled by a whole number of dots: every edge lands on a dot.
  const module = qr.dotsPerModule * pt;
  doc.save();
  doc.transform(module, 0, 0, module, qr.xDots * pt, qr.yDots * pt);
  doc.addContent(qrRunsPath(symbol));
  doc.fill('#000000');
  doc.restore();

  const { titlePt, linePt, idPt, pictogramMm } = media.text;
  const left = qr.textLeftDots * pt;
  const right = (cell.xDots + cell.widthDots - cell.marginXDots) * pt;
  const top = (cell.yDots + cell.marginYDots) * pt;
  const bottom = (cell.yDots + cell.heightDots - cell.marginYDots) * pt;
  const width = right - left;
  doc.fillColor('#000000');

  // Laid out bottom up (the ID, above it the pictograms, above those whatever lines fit), drawn
  // top down, so that text extracted from the PDF reads in order.
  const idBaseline = bottom - idPt * DESCENT;
  const pictogram = mmToPt(pictogramMm);
  const gap = idPt * 0.3;
  const hazardsBottom = idBaseline - idPt * ASCENT - gap;
  const linesBottom = label.hazards.length ? hazardsBottom - pictogram - gap : hazardsBottom;

  let y = top;
  if (label.title) {
    drawText(doc, FONT_BOLD, titlePt, label.title, left, y + titlePt * ASCENT, width);
    y += titlePt * LINE_PITCH;
  }
  for (const line of label.lines) {
    if (y + linePt * (ASCENT + DESCENT) > linesBottom) break;
    drawText(doc, FONT_REGULAR, linePt, line, left, y + linePt * ASCENT, width);
    y += linePt * LINE_PITCH;
  }
  if (label.hazards.length) drawHazardRow(doc, label.hazards, left, hazardsBottom, width, pictogram, linePt);
  drawText(doc, FONT_REGULAR, idPt, formatLabelId(label.id), left, idBaseline, width);
}

// ---------------------------------------------------------------- PDF: the stream

/**
 * pdfkit caches the shaped glyphs of every word it has set, per font, for the life of the
 * document. Shaping (fontkit's GSUB/GPOS pass over a 17,000-glyph CJK font) is most of the
 * cost of a label, so the cache pays for itself, but every label brings new words (its code,
 * its date) and with it the cache would grow with the batch. Emptying it every few hundred
 * labels keeps both: repeated words stay cheap, memory stays flat. `layoutCache` is not
 * public; if a pdfkit version drops it this does nothing and only memory suffers.
 */
const LAYOUT_CACHE_LABELS = 256;

export function forgetShapedWords(doc: Doc): void {
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: unknown }> })._fontFamilies;
  for (const font of Object.values(families ?? {})) {
    if (font && typeof font.layoutCache === 'object' && font.layoutCache !== null) font.layoutCache = Object.create(null);
  }
}

/**
 * A flushed page has been written out, but pdfkit keeps its page dictionary until the end
 * (the page tree lists every page) and through it the page's resource and content objects:
 * about 1 KB per page, which would make memory grow with the batch after all. The page tree
 * needs only the dictionary's object number, so the rest is let go.
 */
function releaseWrittenPage(page: PDFKit.PDFPage): void {
  (page.dictionary as { data: unknown }).data = {};
}

/** Outcome of the destination stream, followed from the moment the document is piped into it. */
export class Destination {
  failure: unknown;
  readonly done: Promise<void>;

  constructor(readonly out: Writable) {
    // Resolves on 'finish'; rejects when `out` errors or is closed first (a client went away).
    this.done = finished(out, { readable: false });
    this.done.catch((error: unknown) => (this.failure = error ?? new Error('the output stream failed')));
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Waits until what pdfkit has produced has gone into `out` and `out` can take more. pdfkit
   * pushes every chunk regardless of push()'s answer, so without this a slow destination
   * (a client on a slow link) would have the whole PDF pile up in memory.
   */
  async drained(doc: Doc): Promise<void> {
    const needsDrain = () => (this.out as Partial<Writable>).writableNeedDrain === true;
    while (doc.readableLength > doc.readableHighWaterMark || needsDrain()) {
      this.throwIfFailed();
      if (needsDrain()) await this.event('drain');
      else await nextTurn(); // the pipe moves buffered chunks on the next turns of the event loop
    }
    this.throwIfFailed();
  }

  private event(name: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const settle = () => {
        this.out.off(name, settle).off('close', settle).off('error', settle);
        resolve(); // an error or close is picked up by throwIfFailed once `done` has settled
      };
      this.out.on(name, settle).on('close', settle).on('error', settle);
    }).then(() => nextTurn());
  }
}

/**
 * Renders labels as a PDF into `out`: one page per label on rolls, `columns × rows` per page on
 * sheets. Labels are drawn as they arrive and each finished page is written out at once
 * (pdfkit with `bufferPages: false`), waiting for `out` when it is slow, so memory does not
 * grow with the number of labels and the first page reaches the client while later labels are
 * still being read from the database. Fonts are embedded once each, as subsets.
 *
 * Resolves when `out` has finished (it is ended, as `pipe` does). Every label is checked before
 * it is drawn; an invalid label, an error of the source or of `out` rejects, and `out` is then
 * destroyed with the error (as `stream.pipeline` does) so that nobody mistakes half a PDF for
 * a whole one. With no labels at all it rejects before writing anything.
 */
export async function renderLabelsPdf(
  labels: LabelContent[] | AsyncIterable<LabelContent> | Iterable<LabelContent>,
  media: LabelMediaName,
  out: NodeJS.WritableStream,
  options: RenderLabelsOptions = {},
): Promise<void> {
  const medium = labelMedia(media);
  const errorCorrection = checkErrorCorrection(options.errorCorrection);
  const fonts = await loadFonts();
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: false, // each page is written out when the next one starts
    compress: true,
    margin: 0,
    pdfVersion: '1.7',
    info: { Title: `Labels (${medium.description})`, Creator: 'Foundry Hub', Producer: 'Foundry Hub (pdfkit)' },
  });
  doc.registerFont(FONT_REGULAR, fonts.regular);
  doc.registerFont(FONT_BOLD, fonts.bold);
  const [pageWidth, pageHeight] = pageSizePt(medium);
  const perPage = labelsPerPage(medium);

  let destination: Destination | undefined;
  let count = 0;
  try {
    for await (const content of labels) {
      const label = normalizeLabel(content, count);
      if (!destination) {
        // Piped only once there is a first valid label: an empty or invalid batch writes nothing.
        destination = new Destination(out as Writable);
        doc.pipe(out);
      }
      destination.throwIfFailed();
      const slot = count % perPage;
      if (slot === 0) {
        const written = doc.page as PDFKit.PDFPage | null; // null before the first page
        doc.addPage({ size: [pageWidth, pageHeight], margin: 0 }); // writes the previous page out
        if (written) releaseWrittenPage(written);
      }
      drawLabel(doc, medium, slot, label, errorCorrection);
      count++;
      if (count % LAYOUT_CACHE_LABELS === 0) forgetShapedWords(doc);
      await destination.drained(doc);
    }
    if (!destination) throw new RangeError('no labels to render');
    doc.end();
    await destination.done;
  } catch (error) {
    if (destination) {
      doc.unpipe(out);
      (out as Writable).destroy(error instanceof Error ? error : new Error(String(error)));
    }
    doc.destroy();
    throw error;
  }
}

// ---------------------------------------------------------------- ZPL

export interface RenderLabelZplOptions {
  dpi: 203 | 300;
  errorCorrection?: QrErrorCorrection;
  /**
   * A TrueType font stored on the printer, e.g. `E:NOTOSANSJP.TTF`, for the title and lines.
   * The built-in ^A0 font has no Japanese glyphs: without such a font, Japanese prints as
   * blanks or boxes (the text is still sent, UTF-8 via ^CI28).
   */
  printerFont?: string;
}

/** The Zebra label stock; ZPL is only for Zebra printers (203 or 300 dpi heads). */
const ZPL_MEDIA = LABEL_MEDIA['zebra-50x25'];
const PRINTER_FONT = /^[A-Z]:[A-Z0-9_\-.]{1,32}\.TTF$/i;

/**
 * ^FD text made ASCII-only: with ^FH every byte outside printable ASCII, and the characters ZPL
 * would read as commands (^ ~) or as the hex indicator itself (_), is sent as _XX, the bytes
 * being UTF-8 (^CI28). Nothing in a sample name can then end the field or start a command.
 */
function zplFieldText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e && char !== '^' && char !== '~' && char !== '_') out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** East Asian wide characters (kana, kanji, hangul, full-width forms) take about a full em. */
const WIDE_RANGES: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x20000, 0x3fffd],
];
const isWide = (code: number) => WIDE_RANGES.some(([from, to]) => code >= from && code <= to);

/**
 * The printer lays text out itself and clips nothing sensibly, so we estimate generously
 * (Latin glyphs of ^A0 at width = height average narrower than 0.6 of it) and cut with "..."
 * at the last character that surely fits.
 */
function zplFit(text: string, heightDots: number, maxWidthDots: number): string {
  const width = (char: string) => (isWide(char.codePointAt(0)!) ? 1 : 0.6) * heightDots;
  const chars = Array.from(text);
  const total = chars.reduce((sum, char) => sum + width(char), 0);
  if (total <= maxWidthDots) return text;
  let used = 3 * width('.');
  let kept = '';
  for (const char of chars) {
    if (used + width(char) > maxWidthDots) break;
    used += width(char);
    kept += char;
  }
  return `${kept.trimEnd()}...`;
}

/**
 * ZPL II for one label on the Zebra 50 × 25 mm stock at 203 or 300 dpi: the QR code with ^BQ
 * at a whole-dot magnification chosen as for the PDF, then title, lines, hazard codes and ID.
 *
 * The QR field data is `<level>M,A<URL>`: error correction M or Q, then Manual input with
 * character mode A (alphanumeric). In Automatic input (`MA,` / `QA,`) the firmware picks the
 * mode itself; manual mode makes the printer encode exactly what the PDF path encodes, so
 * both give the same symbol version, and the module size chosen here holds.
 */
export function renderLabelZpl(label: LabelContent, options: RenderLabelZplOptions): string {
  const { dpi } = options;
  if (dpi !== 203 && dpi !== 300) throw new RangeError(`ZPL dpi must be 203 or 300, got ${String(dpi)}`);
  const errorCorrection = checkErrorCorrection(options.errorCorrection);
  if (options.printerFont !== undefined && !PRINTER_FONT.test(options.printerFont)) {
    throw new RangeError(`printer font "${options.printerFont}" is not a printer font path like E:NOTOSANSJP.TTF`);
  }
  const content = normalizeLabel(label, 0);
  const cell = labelCellDots(ZPL_MEDIA, 0, dpi);
  const symbol = encodeLabelQr(content.url, errorCorrection);
  const qr = placeQr(cell, symbol.size);
  const dots = (points: number) => Math.round((points * dpi) / 72);
  const textFont = options.printerFont ? 'J' : '0';
  const titleH = dots(ZPL_MEDIA.text.titlePt);
  const lineH = dots(ZPL_MEDIA.text.linePt);
  const idH = dots(ZPL_MEDIA.text.idPt);
  const left = qr.textLeftDots;
  const width = Math.floor(cell.widthDots - cell.marginXDots) - left;
  const top = Math.ceil(cell.marginYDots);
  const bottom = Math.floor(cell.heightDots - cell.marginYDots);
  const field = (y: number, font: string, h: number, text: string) =>
    `^FO${left},${Math.round(y)}^A${font}N,${h},${h}^FH^FD${zplFieldText(zplFit(text, h, width))}^FS`;

  const zpl = ['^XA', '^CI28', `^PW${Math.round(cell.widthDots)}`, `^LL${Math.round(cell.heightDots)}`, '^LH0,0'];
  if (options.printerFont) zpl.push(`^CWJ,${options.printerFont.toUpperCase()}`);
  zpl.push(`^FO${qr.xDots},${qr.yDots}^BQN,2,${qr.dotsPerModule}^FD${errorCorrection}M,A${content.url}^FS`);

  // Laid out bottom up as in the PDF: the ID, above it the hazard codes (pictograms would need
  // bitmaps), above those whatever lines fit under the title.
  const idTop = bottom - idH;
  const hazardsTop = idTop - Math.round(lineH * LINE_PITCH);
  const linesBottom = content.hazards.length ? hazardsTop - Math.round(lineH * 0.2) : idTop - Math.round(idH * 0.2);
  let y = top;
  const body: string[] = [];
  if (content.title) {
    body.push(field(y, textFont, titleH, content.title));
    y += titleH * LINE_PITCH;
  }
  for (const line of content.lines) {
    if (y + lineH > linesBottom) break;
    body.push(field(y, textFont, lineH, line));
    y += lineH * LINE_PITCH;
  }
  if (content.hazards.length) body.push(field(hazardsTop, '0', lineH, content.hazards.join(' ')));
  body.push(field(idTop, '0', idH, formatLabelId(content.id)));
  zpl.push(...body, '^PQ1', '^XZ');
  return `${zpl.join('\n')}\n`;
}
