/**
 * The small layout engine of the quote, report and invoice PDFs: A4 pages with a running
 * header and a footer, blocks of text side by side, text that flows across pages, and tables
 * whose rows are never split and whose header is repeated on every page they run onto.
 *
 * Every document is laid out twice with the same code. The first pass draws nothing and only
 * counts pages, so that the second can print "page N of M" while it streams: no page is held
 * back (`bufferPages` stays off), so memory does not grow with a 150-page invoice. After
 * every page either pass waits a turn of the event loop, and the second also waits for a slow
 * destination, so an API in the same process keeps answering while a long document renders.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import { Destination, forgetShapedWords, loadFonts } from '../labels/label-render';
import type { ColumnAlign } from './document-layout';
import type { DocumentLanguage } from './document-types';
import { ASCENT, clean, fit, PdfDoc, put, wrap } from './pdf-text-layout';

// ---------------------------------------------------------------- page geometry (points)

/** A4 portrait, as pdfkit's 'A4'. */
export const PAGE_W = 595.28;
export const PAGE_H = 841.89;
export const LEFT = 42;
export const RIGHT = PAGE_W - 42;
export const CONTENT_W = RIGHT - LEFT;
const TOP = 40;
/** Content stops here; below are the footer rule and the footer line. */
const BODY_BOTTOM = PAGE_H - 52;
const FOOTER_RULE_Y = PAGE_H - 42;
const FOOTER_TOP = PAGE_H - 36;
/** The running header of every page after the first: one small line and a rule. */
const RUNNING_HEADER_H = 20;

export const REGULAR = 'NotoSansJP-Regular';
export const BOLD = 'NotoSansJP-Bold';

export const INK = {
  black: '#000000',
  muted: '#555555',
  rule: '#C8C8C8',
  header: '#E4E4E4',
  band: '#F2F2F2',
  red: '#C00000',
} as const;

/** Size of the field names left of block items. */
const LABEL_PT = 7.5;
/** Line pitch as a multiple of the font size. */
const PITCH = 1.4;

const TABLE_PT = 8;
const TABLE_PITCH = 10.5;
const CELL_PAD_X = 3;
const CELL_PAD_Y = 3;
export const TABLE_HEADER_H = TABLE_PITCH + 2 * CELL_PAD_Y;
/** Height of a table row of one line. */
export const TABLE_ROW_H = TABLE_PITCH + 2 * CELL_PAD_Y;
/** A section heading with its rule. */
const HEADING_H = 20;
/**
 * Cells hold short fields (codes, names, amounts, a hash). One absurdly long is cut here with
 * an ellipsis, so that every row fits on a page and is never split.
 */
const MAX_CELL_LINES = 12;
/** Block items that are kept together (addresses, names) are cut after this many lines, for the same reason. */
const MAX_BLOCK_ITEM_LINES = 10;

/**
 * pdfkit caches the shaped glyphs of every word it has set for the life of the document; a
 * 5,000-line invoice brings thousands of new words (dates, amounts, descriptions). Emptying the
 * cache every few pages keeps memory flat while repeated words within those pages stay cheap.
 */
const FORGET_SHAPED_WORDS_PAGES = 8;

// ---------------------------------------------------------------- what documents give the engine

export interface TextStyle {
  /** Points; 9 unless given. */
  size?: number;
  bold?: boolean;
  color?: string;
}

/** A paragraph of a block: `label` in a narrow column of its own, `text` wrapped, `value` right-aligned. */
export interface BlockItem extends TextStyle {
  /** A field's name, small and grey, left of the text. */
  label?: string;
  text: string;
  /** Printed right-aligned on the item's first line (an amount beside its caption). */
  value?: string;
  /** Space above the item, points. */
  gap?: number;
}

export interface BlockSpec {
  items: BlockItem[];
  /** Share of the content width, relative to the other blocks of the row. 1 unless given. */
  share?: number;
  /** Width of the label column; by default that of the widest label (at most 40 % of the block). */
  labelWidth?: number;
  /** A framed block (the amount due, an amendment, the signature). */
  box?: { fill?: string; stroke?: string; padding?: number };
}

export interface TableColumn<Key extends string = string> {
  key: Key;
  caption: string;
  /** Share of the table's width. */
  width: number;
  align: ColumnAlign;
}

/** Something drawn in a cell instead of or beside text: a QR code. */
export interface CellGraphic {
  width: number;
  height: number;
  draw(doc: PdfDoc, x: number, y: number): void;
}

export interface TableCell {
  text: string;
  bold?: boolean;
  color?: string;
  align?: ColumnAlign;
  /** Columns the cell covers (1 unless given). */
  span?: number;
  graphic?: CellGraphic;
}

export interface RowStyle {
  background?: string;
  bold?: boolean;
  /** Points of what follows that must fit on the same page (a group heading and its first line). */
  keepWithNext?: number;
}

/** What a document tells the engine: its metadata, its page furniture and how to draw it. */
export interface DocumentPlan {
  language: DocumentLanguage;
  /** PDF metadata; Creator and Producer are added here. CreationDate is the document's own time. */
  info: { Title: string; Author: string; Subject: string; CreationDate: Date };
  /** Top line of every page after the first (`請求書 INV-… (続き)`). */
  runningHeader: string;
  /** The footer of page `page` of `pages`. */
  footer(page: number, pages: number): { left: string; right: string };
  /** Drawn on every page before its content (a DRAFT watermark). */
  decoratePage?(writer: DocumentWriter): void;
  draw(writer: DocumentWriter): Promise<void>;
}

/** A table cell placed in its row: left edge, width and its text wrapped. */
interface PlacedCell {
  cell: TableCell;
  x: number;
  width: number;
  align: ColumnAlign;
  lines: string[];
  font: string;
}

/** A line laid out relative to its block: runs of text at offsets. */
interface LaidLine {
  height: number;
  runs: { text: string; dx: number; dy: number; font: string; size: number; color: string }[];
}

// ---------------------------------------------------------------- the writer

export class DocumentWriter {
  /** Top of the next thing to draw on the current page. */
  y = TOP;
  /** Pages started so far. */
  page = 0;
  private settledPage = 0;
  private openTable: DocumentTable<string> | null = null;

  constructor(
    readonly doc: PdfDoc,
    private readonly plan: DocumentPlan,
    /** Layout only: measures and breaks pages but draws nothing. */
    readonly dry: boolean,
    /** Pages of the whole document (known in the second pass). */
    private readonly pages: number,
    private readonly destination: Destination | null,
  ) {}

  async run(): Promise<void> {
    this.newPage();
    await this.plan.draw(this);
    this.finishPage();
  }

  // ------------------------------------------------------------ pages

  newPage(): void {
    this.finishPage();
    this.page++;
    if (!this.dry) this.doc.addPage({ size: [PAGE_W, PAGE_H], margin: 0 });
    this.y = TOP;
    this.plan.decoratePage?.(this);
    if (this.page > 1) {
      this.text(this.plan.runningHeader, LEFT, this.y, REGULAR, 8, INK.muted);
      this.hline(this.y + 13, INK.rule, 0.5);
      this.y += RUNNING_HEADER_H;
    }
    this.openTable?.header();
  }

  private finishPage(): void {
    if (this.page === 0 || this.dry) return;
    const { left, right } = this.plan.footer(this.page, this.pages);
    this.hline(FOOTER_RULE_Y, INK.rule, 0.5);
    this.doc.font(REGULAR).fontSize(7);
    const rightW = this.doc.widthOfString(right);
    this.text(fit(this.doc, left, CONTENT_W - rightW - 12), LEFT, FOOTER_TOP, REGULAR, 7, INK.muted);
    this.text(right, RIGHT - rightW, FOOTER_TOP, REGULAR, 7, INK.black);
  }

  /** Starts a new page unless `height` more points fit on this one; true if it did. */
  ensure(height: number): boolean {
    if (this.y + height <= BODY_BOTTOM) return false;
    this.newPage();
    return true;
  }

  /** Room left on a fresh page, under the running header (and a table's header). */
  private roomOnNewPage(): number {
    return BODY_BOTTOM - TOP - RUNNING_HEADER_H - (this.openTable ? TABLE_HEADER_H : 0);
  }

  /**
   * After a page is done: lets the event loop run (an API in the same process answers its
   * requests), and while streaming waits until the destination has taken what was written.
   */
  async settle(): Promise<void> {
    if (this.page === this.settledPage) return;
    this.settledPage = this.page;
    if (this.page % FORGET_SHAPED_WORDS_PAGES === 0) forgetShapedWords(this.doc);
    await nextTurn();
    if (this.destination) await this.destination.drained(this.doc);
  }

  // ------------------------------------------------------------ drawing primitives (nothing in the first pass)

  text(text: string, x: number, top: number, font: string, size: number, color: string): void {
    if (!this.dry) put(this.doc, text, x, top, font, size, color);
  }

  hline(y: number, color: string = INK.rule, width = 0.5, from = LEFT, to = RIGHT): void {
    if (!this.dry) this.doc.save().moveTo(from, y).lineTo(to, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  rect(x: number, y: number, width: number, height: number, style: { fill?: string; stroke?: string; lineWidth?: number }): void {
    if (this.dry) return;
    const { doc } = this;
    doc.save();
    if (style.fill) doc.rect(x, y, width, height).fill(style.fill);
    if (style.stroke) doc.rect(x, y, width, height).lineWidth(style.lineWidth ?? 0.8).strokeColor(style.stroke).stroke();
    doc.restore();
  }

  /** Any other drawing (a rotated watermark), skipped in the first pass. */
  draw(paint: (doc: PdfDoc) => void): void {
    if (!this.dry) paint(this.doc);
  }

  /** `text` wrapped to `width` in a font and size. */
  wrapText(text: string, width: number, font: string, size: number): string[] {
    this.doc.font(font).fontSize(size);
    return wrap(this.doc, text, width);
  }

  widthOf(text: string, font: string, size: number): number {
    return this.doc.font(font).fontSize(size).widthOfString(text);
  }

  // ------------------------------------------------------------ headings and blocks

  space(points: number): void {
    this.y += points;
  }

  /** A section heading, kept on a page with at least `keepWithNext` points of what follows. */
  heading(text: string, keepWithNext = TABLE_HEADER_H + 2 * TABLE_ROW_H): void {
    this.ensure(HEADING_H + keepWithNext);
    this.text(text, LEFT, this.y, BOLD, 11, INK.black);
    this.hline(this.y + 15.5, INK.black, 0.6);
    this.y += HEADING_H;
  }

  private layoutItems(items: BlockItem[], width: number, givenLabelWidth: number | undefined, maxLinesPerItem: number): LaidLine[] {
    const lines: LaidLine[] = [];
    const labelWidth =
      givenLabelWidth ?? Math.min(width * 0.4, Math.max(0, ...items.map((item) => (item.label ? this.widthOf(clean(item.label), REGULAR, LABEL_PT) + 10 : 0))));
    for (const item of items) {
      const size = item.size ?? 9;
      const font = item.bold ? BOLD : REGULAR;
      const color = item.color ?? INK.black;
      const pitch = size * PITCH;
      if (item.gap) lines.push({ height: item.gap, runs: [] });
      const labelW = item.label !== undefined ? labelWidth : 0;
      const value = item.value ? clean(item.value) : '';
      const valueW = value ? this.widthOf(value, font, size) + 8 : 0;
      let wrapped = this.wrapText(clean(item.text, true), Math.max(width - labelW - valueW, 20), font, size);
      if (wrapped.length > maxLinesPerItem) {
        wrapped = wrapped.slice(0, maxLinesPerItem);
        wrapped[maxLinesPerItem - 1] = fit(this.doc, `${wrapped[maxLinesPerItem - 1]}…`, width - labelW - valueW);
      }
      wrapped.forEach((text, n) => {
        const line: LaidLine = { height: pitch, runs: [{ text, dx: labelW, dy: 0, font, size, color }] };
        if (n === 0 && item.label) {
          const labelSize = Math.min(LABEL_PT, size);
          this.doc.font(REGULAR).fontSize(labelSize);
          // Label and text share a baseline.
          const label = fit(this.doc, clean(item.label), labelW - 4);
          line.runs.push({ text: label, dx: 0, dy: (size - labelSize) * ASCENT, font: REGULAR, size: labelSize, color: INK.muted });
        }
        if (n === 0 && value) line.runs.push({ text: value, dx: width - valueW + 8, dy: 0, font, size, color });
        lines.push(line);
      });
    }
    return lines;
  }

  private drawLines(lines: LaidLine[], x: number, top: number): void {
    let y = top;
    for (const line of lines) {
      for (const run of line.runs) this.text(run.text, x + run.dx, y + run.dy, run.font, run.size, run.color);
      y += line.height;
    }
  }

  /**
   * Blocks side by side (issuer and recipient, a box of totals), kept together on one page:
   * each item is cut after a few lines so that a row of blocks always fits.
   */
  async blocks(blocks: BlockSpec[], gapAfter = 10): Promise<void> {
    const columnGap = 16;
    const shares = blocks.reduce((sum, block) => sum + (block.share ?? 1), 0);
    const usable = CONTENT_W - columnGap * (blocks.length - 1);
    let x = LEFT;
    const laid = blocks.map((block) => {
      const width = (usable * (block.share ?? 1)) / shares;
      const padding = block.box ? (block.box.padding ?? 8) : 0;
      const lines = this.layoutItems(block.items, width - 2 * padding, block.labelWidth, MAX_BLOCK_ITEM_LINES);
      const height = lines.reduce((sum, line) => sum + line.height, 0) + 2 * padding;
      const placed = { block, x, width, padding, lines, height };
      x += width + columnGap;
      return placed;
    });
    const height = Math.max(0, ...laid.map((block) => block.height));
    this.ensure(Math.min(height, this.roomOnNewPage()));
    for (const block of laid) {
      if (block.block.box) this.rect(block.x, this.y, block.width, block.height, { fill: block.block.box.fill, stroke: block.block.box.stroke });
      this.drawLines(block.lines, block.x + block.padding, this.y + block.padding);
    }
    this.y += height + gapAfter;
    await this.settle();
  }

  /** Text that may run over pages (a results summary): every line goes where there is room. */
  async flow(items: BlockItem[], labelWidth?: number, gapAfter = 10): Promise<void> {
    for (const line of this.layoutItems(items, CONTENT_W, labelWidth, Number.POSITIVE_INFINITY)) {
      if (line.runs.length && this.ensure(line.height)) await this.settle();
      this.drawLines([line], LEFT, this.y);
      this.y += line.height;
    }
    this.y += gapAfter;
    await this.settle();
  }

  // ------------------------------------------------------------ tables

  /**
   * Starts a table: its header now and on every page it runs onto. `keepWithHeader` points of
   * rows must fit under the header, so that a header never stands alone at the foot of a page.
   */
  table<Key extends string>(columns: TableColumn<Key>[], keepWithHeader = 2 * TABLE_ROW_H): DocumentTable<Key> {
    return this.startTable(new DocumentTable<Key>(this, columns), keepWithHeader);
  }

  private startTable<Key extends string>(table: DocumentTable<Key>, keepWithHeader: number): DocumentTable<Key> {
    this.ensure(TABLE_HEADER_H + keepWithHeader);
    this.openTable = table as unknown as DocumentTable<string>;
    table.header();
    return table;
  }

  /** A table of one row per item under its heading; with no items, one row saying so. */
  async tableSection<Item, Key extends string>(
    heading: string,
    columns: TableColumn<Key>[],
    items: readonly Item[],
    noItems: string,
    row: (item: Item) => Partial<Record<Key, string | TableCell>>,
  ): Promise<void> {
    const table = new DocumentTable<Key>(this, columns);
    // Heading, table header and the first row stay together.
    const firstRow = items.length ? table.rowHeight(row(items[0])) : TABLE_ROW_H;
    this.heading(heading, TABLE_HEADER_H + firstRow);
    this.startTable(table, firstRow);
    if (!items.length) await table.cells([{ text: noItems, color: INK.muted, span: columns.length }]);
    for (const item of items) await table.row(row(item));
    table.end();
  }

  /** @internal */
  closeTable(): void {
    this.openTable = null;
  }
}

export class DocumentTable<Key extends string> {
  /** Left edge and width of every column, in points. */
  private readonly edges: { key: Key; x: number; width: number; caption: string; align: ColumnAlign }[];

  constructor(
    private readonly writer: DocumentWriter,
    columns: TableColumn<Key>[],
  ) {
    const shares = columns.reduce((sum, column) => sum + column.width, 0);
    let x = LEFT;
    this.edges = columns.map((column) => {
      const width = (CONTENT_W * column.width) / shares;
      const edge = { key: column.key, x, width, caption: column.caption, align: column.align };
      x += width;
      return edge;
    });
  }

  header(): void {
    const w = this.writer;
    w.rect(LEFT, w.y, CONTENT_W, TABLE_HEADER_H, { fill: INK.header });
    for (const edge of this.edges) {
      w.doc.font(BOLD).fontSize(TABLE_PT);
      const caption = fit(w.doc, edge.caption, edge.width - 2 * CELL_PAD_X);
      this.place(caption, edge.x, edge.width, edge.align, w.y + CELL_PAD_Y, BOLD, INK.black);
    }
    w.y += TABLE_HEADER_H;
  }

  private place(text: string, x: number, width: number, align: ColumnAlign, top: number, font: string, color: string): void {
    const w = this.writer;
    let left = x + CELL_PAD_X;
    if (align !== 'left') {
      const free = width - 2 * CELL_PAD_X - w.widthOf(text, font, TABLE_PT);
      left += align === 'right' ? free : free / 2;
    }
    w.text(text, left, top, font, TABLE_PT, color);
  }

  /** A row of cells by column key; a missing key is an empty cell. */
  async row(values: Partial<Record<Key, string | TableCell>>, style: RowStyle = {}): Promise<void> {
    await this.cells(this.keyed(values), style);
  }

  /** How tall a row of these values would be, without drawing it. */
  rowHeight(values: Partial<Record<Key, string | TableCell>>): number {
    return this.layoutRow(this.keyed(values), {}).height;
  }

  private keyed(values: Partial<Record<Key, string | TableCell>>): TableCell[] {
    return this.edges.map((edge): TableCell => {
      const value = values[edge.key];
      return typeof value === 'string' || value === undefined ? { text: value ?? '' } : value;
    });
  }

  /** Index of a column, for rows whose cells span columns. */
  indexOf(key: Key): number {
    return this.edges.findIndex((edge) => edge.key === key);
  }

  get columnCount(): number {
    return this.edges.length;
  }

  /** A row of cells in column order; a cell with `span` covers that many columns. Never split across pages. */
  async cells(cells: TableCell[], style: RowStyle = {}): Promise<void> {
    const w = this.writer;
    const { placed, height } = this.layoutRow(cells, style);
    // A row moves whole to the next page, where it always fits (cells are cut at MAX_CELL_LINES).
    w.ensure(height + (style.keepWithNext ?? 0));

    if (style.background) w.rect(LEFT, w.y, CONTENT_W, height, { fill: style.background });
    for (const cell of placed) {
      let x = cell.x;
      let width = cell.width;
      const graphic = cell.cell.graphic;
      if (graphic) {
        const drawAt = { x: x + CELL_PAD_X, y: w.y + CELL_PAD_Y };
        w.draw((doc) => graphic.draw(doc, drawAt.x, drawAt.y));
        x += graphic.width + CELL_PAD_X;
        width -= graphic.width + CELL_PAD_X;
      }
      cell.lines.forEach((line, n) => this.place(line, x, width, cell.align, w.y + CELL_PAD_Y + n * TABLE_PITCH, cell.font, cell.cell.color ?? INK.black));
    }
    w.y += height;
    w.hline(w.y, INK.rule, 0.4);
    await w.settle();
  }

  /** Where each cell goes and its text wrapped to the cell; the row is as tall as its tallest cell. */
  private layoutRow(cells: TableCell[], style: RowStyle): { placed: PlacedCell[]; height: number } {
    const w = this.writer;
    const placed: PlacedCell[] = [];
    let column = 0;
    for (const cell of cells) {
      if (column >= this.edges.length) break;
      const span = Math.max(1, Math.min(cell.span ?? 1, this.edges.length - column));
      const first = this.edges[column];
      const last = this.edges[column + span - 1];
      const width = last.x + last.width - first.x;
      const font = cell.bold || style.bold ? BOLD : REGULAR;
      const inner = width - 2 * CELL_PAD_X - (cell.graphic ? cell.graphic.width + CELL_PAD_X : 0);
      let lines = cell.text ? w.wrapText(clean(cell.text, true), Math.max(inner, 8), font, TABLE_PT) : [];
      if (lines.length > MAX_CELL_LINES) {
        lines = lines.slice(0, MAX_CELL_LINES);
        lines[MAX_CELL_LINES - 1] = fit(w.doc, `${lines[MAX_CELL_LINES - 1]}…`, inner);
      }
      placed.push({ cell, x: first.x, width, align: cell.align ?? (span === 1 ? first.align : 'left'), lines, font });
      column += span;
    }
    const height =
      2 * CELL_PAD_Y + Math.max(TABLE_PITCH, ...placed.map((cell) => Math.max(cell.lines.length * TABLE_PITCH, cell.cell.graphic?.height ?? 0)));
    return { placed, height };
  }

  end(gapAfter = 12): void {
    this.writer.closeTable();
    this.writer.space(gapAfter);
  }
}

// ---------------------------------------------------------------- entry point

/**
 * Renders a document into `out` and resolves when `out` has finished. `prepare` checks the
 * input and reads the layout; it and the first pass run before anything is written, so bad
 * input rejects with nothing sent. On any error (invalid input, a drawing failure, `out`
 * failing or closing early) the promise rejects and `out` is destroyed, so that nobody
 * mistakes half a PDF for a whole one.
 */
export async function renderDocumentPdf(out: NodeJS.WritableStream, prepare: () => DocumentPlan): Promise<void> {
  let piped: Promise<void> | undefined;
  let doc: PdfDoc | undefined;
  try {
    const plan = prepare();
    const fonts = await loadFonts();
    doc = new PDFDocument({
      autoFirstPage: false,
      bufferPages: false,
      compress: true,
      margin: 0,
      pdfVersion: '1.7',
      lang: plan.language === 'ja' ? 'ja-JP' : 'en',
      // The document's own time as CreationDate, not the clock: the same input renders to the same bytes.
      info: { ...plan.info, Creator: 'Foundry Hub', Producer: 'Foundry Hub (pdfkit)' },
    });
    doc.registerFont(REGULAR, fonts.regular);
    doc.registerFont(BOLD, fonts.bold);

    const layout = new DocumentWriter(doc, plan, true, 0, null);
    await layout.run();

    const destination = new Destination(out as Writable);
    // pipeline rather than a bare doc.pipe: it ends `out`, and an error on either side
    // destroys both and rejects. Drawing is asynchronous (it waits after each page), so the
    // rejection is observed at once and read again at the end.
    piped = pipeline(doc, out);
    piped.catch(() => undefined);
    try {
      const writer = new DocumentWriter(doc, plan, false, layout.page, destination);
      await writer.run();
      // Both passes run the same code on the same input; should they ever differ, the footers would lie.
      if (writer.page !== layout.page) throw new Error(`laid out ${layout.page} pages but drew ${writer.page}`);
      doc.end();
    } catch (error) {
      doc.destroy(error instanceof Error ? error : new Error(String(error)));
    }
    await piped;
  } catch (error) {
    // Once piped, pipeline has destroyed `out` already. Before, it is destroyed here without
    // the error: the rejection reports it, and an 'error' event that `out` has no listener for
    // would crash the process.
    if (!piped) {
      doc?.destroy();
      (out as Writable).destroy();
    }
    throw error;
  }
}
