/**
 * Chain-of-custody report of one sample as a PDF (ISO/IEC 17025 §7.4/§7.5 sample handling and
 * records, 21 CFR 11 §11.10(e) audit trail): the sample, its hazards, every custody event with
 * who, when (occurred and recorded), where and why, the hash-chain verdict and a sign-off
 * block. A pure function of its input: no NestJS, no database; the caller loads the events,
 * verifies the chain and resolves names.
 *
 * Layout is done here line by line (own wrapping, explicit coordinates, `lineBreak: false`)
 * rather than with pdfkit's flowing text, so that every page break is one we chose: a table
 * row is never cut by pdfkit in the middle, and the repeated table header always follows.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import PDFDocument from 'pdfkit';
import { clean, fit, put, wrap } from '../documents/pdf-text-layout';
import { drawGhsPictogram, GHS_PICTOGRAM_NAMES, GhsCode, isGhsCode } from '../labels/ghs-pictograms';
import { formatLabelId, parseLabelId } from '../labels/label-id';
import { loadFonts } from '../labels/label-render';

export interface CustodyReportSample {
  id: string;
  code: string;
  name: string;
  material: string | null;
  form: string;
  quantity: number | null;
  unit: string | null;
  hazards: string[];
  state: string;
  ownerName: string;
  projectCode: string;
  centerCode: string;
  centerName: string;
  /** IANA time zone of the center; every time in the report is shown in it, with its offset. */
  timezone: string;
  labelId: string | null;
  registeredAt: Date;
  locationPath: string | null;
}

export interface CustodyReportEvent {
  seq: number;
  /** The sample the event belongs to (inherited events from a parent wafer show the parent's code). */
  sampleCode: string;
  inherited: boolean;
  type: string;
  occurredAt: Date;
  recordedAt: Date;
  actorName: string | null;
  actorRole: string | null;
  onBehalfOfName: string | null;
  source: string;
  scannedLabel: string | null;
  reason: string | null;
  fromState: string | null;
  toState: string | null;
  locationName: string | null;
  equipmentCode: string | null;
  /** One-line description built by the caller. */
  summary: string;
  hash: string;
  prevHash: string | null;
}

export interface CustodyReport {
  sample: CustodyReportSample;
  /** Oldest first, as `SampleEventsService.history` returns them. */
  events: CustodyReportEvent[];
  chain: { ok: boolean; checked: number; headHash: string | null; firstBroken?: { seq: number; reason: string } };
  generatedAt: Date;
  /** Who asked for the report (a name), printed on every page. */
  generatedBy: string;
}

type Doc = typeof PDFDocument;

// ---------------------------------------------------------------- page geometry (points)

/** A4 portrait, as pdfkit's 'A4'. */
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const LEFT = 36;
const RIGHT = PAGE_W - 36;
const CONTENT_W = RIGHT - LEFT;
const TOP = 40;
/** Content stops here; below are the footer rule and the footer line. */
const BODY_BOTTOM = PAGE_H - 50;
const FOOTER_RULE_Y = PAGE_H - 40;
const FOOTER_TOP = PAGE_H - 34;

const REGULAR = 'NotoSansJP-Regular';
const BOLD = 'NotoSansJP-Bold';
/** pdfkit's built-in Courier (no file, nothing to embed) for hashes: fixed width makes them easy to compare by eye. */
const MONO = 'Courier';

const BLACK = '#000000';
const MUTED = '#555555';
/** Inherited events: another sample's record, shown for context. */
const INHERITED = '#7A7A7A';
const INHERITED_BG = '#F1F1F1';
const HEADER_BG = '#E4E4E4';
const RULE = '#C8C8C8';
const RED = '#C00000';
const GREEN = '#1E7B34';

// ---------------------------------------------------------------- the event table

const TABLE_PT = 7;
const TABLE_PITCH = 9;
const CELL_PAD_X = 3;
const CELL_PAD_Y = 3;
const TABLE_HEADER_H = TABLE_PITCH + 2 * CELL_PAD_Y;
/** The "(continued)" line above the repeated table header. */
const CONTINUED_H = 14;
/**
 * Cells hold short fields (names, codes, states). Should one be absurdly long it is cut here
 * with an ellipsis, so that a row always fits on a page; summary and reason, the long texts,
 * are never cut (they run on across pages if need be).
 */
const MAX_CELL_LINES = 12;

const COLUMNS = [
  { title: '#', width: 24 },
  { title: 'Occurred / Recorded', width: 92 },
  { title: 'Event / State', width: 82 },
  { title: 'Who (role, on behalf of)', width: 105 },
  { title: 'Where / Tool', width: 88 },
  { title: 'Source / Label', width: 58 },
  { title: 'Hash', width: 74 },
] as const;

/** A piece of text on one line: `dx` from the line's left edge. */
interface Run {
  text: string;
  font: string;
  color: string;
  dx: number;
}
type Line = Run[];

// ---------------------------------------------------------------- text helpers

/** Courier has Latin-1 glyphs only: anything else (never a real hash) is set in Noto Sans JP. */
const monoOr = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? MONO : REGULAR);

const orDash = (text: string) => text || '—';

// ---------------------------------------------------------------- input checks

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * Checks what would otherwise fail half-way through drawing (an unknown time zone, a missing
 * date) and says which field is wrong.
 */
function checkReport(report: CustodyReport): void {
  if (!report || typeof report !== 'object' || !report.sample || !report.chain) throw new TypeError('custody report: sample and chain are required');
  if (!Array.isArray(report.events)) throw new TypeError('custody report: events must be an array');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: report.sample.timezone });
  } catch {
    throw new RangeError(`custody report: unknown time zone "${String(report.sample.timezone)}"`);
  }
  if (!isValidDate(report.sample.registeredAt)) throw new TypeError('custody report: sample.registeredAt is not a valid date');
  if (!isValidDate(report.generatedAt)) throw new TypeError('custody report: generatedAt is not a valid date');
  report.events.forEach((event, index) => {
    if (!isValidDate(event?.occurredAt)) throw new TypeError(`custody report: events[${index}].occurredAt is not a valid date`);
    if (!isValidDate(event.recordedAt)) throw new TypeError(`custody report: events[${index}].recordedAt is not a valid date`);
  });
}

/** Label IDs as printed on the label (`7K3M9-QX24P`), so the reader can match the physical label. */
function labelText(id: string | null): string {
  if (!id) return '';
  const parsed = parseLabelId(id);
  return parsed.ok ? formatLabelId(parsed.id) : clean(id);
}

// ---------------------------------------------------------------- the writer

class CustodyReportWriter {
  private y = TOP;
  /** While the event table is being drawn, a new page starts with its header. */
  private inTable = false;
  private readonly code: string;
  private readonly brokenSeq: number | null;

  constructor(
    private readonly doc: Doc,
    private readonly report: CustodyReport,
  ) {
    this.code = clean(report.sample.code);
    this.brokenSeq = !report.chain.ok && report.chain.firstBroken ? report.chain.firstBroken.seq : null;
  }

  /** `2026-11-28 10:15 +09:00`: local time of the sample's center, with the offset so it is unambiguous. */
  private time(date: Date): string {
    return format(new TZDate(date.getTime(), this.report.sample.timezone), 'yyyy-MM-dd HH:mm xxx');
  }

  draw(): void {
    this.newPage();
    this.title();
    this.sampleBlock();
    this.hazards();
    this.eventTable();
    this.verification();
    this.signOff();
    this.footers();
  }

  // ------------------------------------------------------------ pages

  private newPage(): void {
    this.doc.addPage({ size: 'A4', layout: 'portrait', margin: 0 });
    this.y = TOP;
    if (this.inTable) {
      put(this.doc, `Custody events — ${this.code} (continued)`, LEFT, this.y, REGULAR, 8, MUTED);
      this.y += CONTINUED_H;
      this.tableHeader();
    }
  }

  /** Starts a new page unless `height` more points fit on this one; true if it did. */
  private ensure(height: number): boolean {
    if (this.y + height <= BODY_BOTTOM) return false;
    this.newPage();
    return true;
  }

  private rule(y: number, color = RULE, width = 0.5): void {
    this.doc.save().moveTo(LEFT, y).lineTo(RIGHT, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  private heading(text: string): void {
    put(this.doc, text, LEFT, this.y, BOLD, 11, BLACK);
    this.y += 17;
  }

  // ------------------------------------------------------------ sample

  private title(): void {
    put(this.doc, 'Chain of custody / 試料管理記録', LEFT, this.y, BOLD, 16, BLACK);
    this.y += 24;
    this.rule(this.y, BLACK, 0.8);
    this.y += 10;
  }

  private sampleBlock(): void {
    const { doc } = this;
    const sample = this.report.sample;
    put(doc, this.code, LEFT, this.y, BOLD, 22, BLACK);
    this.y += 30;
    doc.font(REGULAR).fontSize(12);
    for (const line of wrap(doc, clean(sample.name), CONTENT_W)) {
      this.ensure(16);
      put(doc, line, LEFT, this.y, REGULAR, 12, BLACK);
      this.y += 16;
    }
    this.y += 6;

    const quantity = sample.quantity === null || sample.quantity === undefined ? '' : `${sample.quantity}${sample.unit ? ` ${clean(sample.unit)}` : ''}`;
    const fields: [string, string][] = [
      ['Material', clean(sample.material)],
      ['Form', clean(sample.form)],
      ['Quantity', quantity],
      ['State', clean(sample.state)],
      ['Owner', clean(sample.ownerName)],
      ['Project', clean(sample.projectCode)],
      ['Center', [clean(sample.centerCode), clean(sample.centerName)].filter(Boolean).join(' — ')],
      ['Location', clean(sample.locationPath)],
      ['Label ID', labelText(sample.labelId)],
      ['Registered at', this.time(sample.registeredAt)],
      ['Time zone', `${clean(sample.timezone)} (all times in this report)`],
      ['Sample ID', clean(sample.id)],
    ];
    // Two columns of label: value; a row is as tall as the longer of its two values.
    const gap = 12;
    const columnW = (CONTENT_W - gap) / 2;
    const labelW = 62;
    const pitch = 12;
    for (let i = 0; i < fields.length; i += 2) {
      const pair = fields.slice(i, i + 2);
      doc.font(REGULAR).fontSize(9);
      const wrapped = pair.map(([, value]) => wrap(doc, orDash(value), columnW - labelW));
      const height = Math.max(...wrapped.map((lines) => lines.length)) * pitch + 2;
      this.ensure(height);
      pair.forEach(([label], column) => {
        const x = LEFT + column * (columnW + gap);
        put(doc, label, x, this.y + 1, BOLD, 7.5, MUTED);
        wrapped[column].forEach((line, n) => put(doc, line, x + labelW, this.y + n * pitch, REGULAR, 9, BLACK));
      });
      this.y += height;
    }
    this.y += 8;
  }

  /** Pictograms with code and name under each; codes that are not GHS pictograms are listed as text. */
  private hazards(): void {
    const { doc } = this;
    const known: GhsCode[] = [];
    const other: string[] = [];
    for (const raw of this.report.sample.hazards ?? []) {
      const code = clean(raw).toUpperCase();
      if (!code) continue;
      if (isGhsCode(code)) {
        if (!known.includes(code)) known.push(code);
      } else if (!other.includes(code)) other.push(code);
    }
    const size = 34;
    const cell = 56;
    const captionPt = 6.5;
    const perRow = Math.floor(CONTENT_W / cell);
    const rows = Math.ceil(known.length / perRow);
    doc.font(REGULAR).fontSize(9);
    const textLines = known.length && !other.length ? [] : wrap(doc, other.length ? `Also recorded (not a GHS pictogram): ${other.join(', ')}` : 'None recorded', CONTENT_W);
    this.ensure(17 + rows * (size + 26) + textLines.length * 13);
    this.heading('Hazards / 危険有害性');
    for (let row = 0; row < rows; row++) {
      known.slice(row * perRow, (row + 1) * perRow).forEach((code, i) => {
        const x = LEFT + i * cell;
        drawGhsPictogram(doc, code, x, this.y, size);
        put(doc, code, x, this.y + size + 2, BOLD, captionPt, BLACK);
        doc.font(REGULAR).fontSize(captionPt);
        wrap(doc, GHS_PICTOGRAM_NAMES[code], cell - 4)
          .slice(0, 2)
          .forEach((line, n) => put(doc, line, x, this.y + size + 2 + (n + 1) * 8, REGULAR, captionPt, MUTED));
      });
      this.y += size + 26;
    }
    for (const line of textLines) {
      put(doc, line, LEFT, this.y, REGULAR, 9, BLACK);
      this.y += 13;
    }
    this.y += 6;
  }

  // ------------------------------------------------------------ events

  private tableHeader(): void {
    const { doc } = this;
    doc.save().rect(LEFT, this.y, CONTENT_W, TABLE_HEADER_H).fill(HEADER_BG).restore();
    let x = LEFT;
    for (const column of COLUMNS) {
      doc.font(BOLD).fontSize(TABLE_PT);
      put(doc, fit(doc, column.title, column.width - 2 * CELL_PAD_X), x + CELL_PAD_X, this.y + CELL_PAD_Y, BOLD, TABLE_PT, BLACK);
      x += column.width;
    }
    this.y += TABLE_HEADER_H;
  }

  private eventTable(): void {
    const events = this.report.events;
    // Heading, header and (about) one row together: a heading alone at the foot of a page helps nobody.
    this.ensure(17 + TABLE_HEADER_H + 40);
    this.heading(`Custody events / 履歴 (${events.length})`);
    if (!events.length) {
      put(this.doc, 'No events recorded.', LEFT, this.y, REGULAR, 9, BLACK);
      this.y += 20;
      return;
    }
    this.tableHeader();
    this.inTable = true;
    for (const event of events) this.eventRow(event);
    this.inTable = false;
    this.y += 14;
  }

  /** Lines of one cell: each paragraph wrapped to the column, at most MAX_CELL_LINES. */
  private cell(width: number, paragraphs: { text: string; font: string; color: string }[]): Line[] {
    const { doc } = this;
    const lines: Line[] = [];
    for (const paragraph of paragraphs) {
      if (!paragraph.text) continue;
      doc.font(paragraph.font).fontSize(TABLE_PT);
      for (const text of wrap(doc, paragraph.text, width)) lines.push([{ text, font: paragraph.font, color: paragraph.color, dx: 0 }]);
    }
    if (lines.length > MAX_CELL_LINES) {
      lines.length = MAX_CELL_LINES;
      const [last] = lines[MAX_CELL_LINES - 1];
      doc.font(last.font).fontSize(TABLE_PT);
      last.text = fit(doc, `${last.text}…`, width);
    }
    return lines;
  }

  /** A long text (summary), wrapped but never cut. */
  private cellText(width: number, text: string, color: string): Line[] {
    this.doc.font(REGULAR).fontSize(TABLE_PT);
    return wrap(this.doc, text, width).map((line) => [{ text: line, font: REGULAR, color, dx: 0 }]);
  }

  /** A paragraph under a bold label (`Reason:`), the text indented past it on every line. */
  private labelled(width: number, label: string, text: string, color: string): Line[] {
    const { doc } = this;
    doc.font(BOLD).fontSize(TABLE_PT);
    const indent = doc.widthOfString(`${label} `);
    doc.font(REGULAR).fontSize(TABLE_PT);
    return wrap(doc, text, width - indent).map((line, n) => {
      const run: Run = { text: line, font: REGULAR, color, dx: indent };
      return n === 0 ? [{ text: label, font: BOLD, color, dx: 0 }, run] : [run];
    });
  }

  private drawLine(line: Line, x: number, top: number): void {
    for (const run of line) put(this.doc, run.text, x + run.dx, top, run.font, TABLE_PT, run.color);
  }

  private band(height: number, inherited: boolean): void {
    if (inherited) this.doc.save().rect(LEFT, this.y, CONTENT_W, height).fill(INHERITED_BG).restore();
  }

  /**
   * One event: a row of cells, then under it (across all columns but the first) the summary,
   * the reason and, for the first broken link, the verifier's finding. Kept on one page when
   * it fits on one; a row longer than a page (a very long reason) continues line by line.
   */
  private eventRow(event: CustodyReportEvent): void {
    const inherited = event.inherited === true;
    const broken = !inherited && this.brokenSeq !== null && event.seq === this.brokenSeq;
    const ink = inherited ? INHERITED : BLACK;
    const soft = inherited ? INHERITED : MUTED;
    const alert = broken ? RED : ink;
    const innerW = (column: number) => COLUMNS[column].width - 2 * CELL_PAD_X;

    const states = event.fromState || event.toState ? `${clean(event.fromState) || '—'} → ${clean(event.toState) || '—'}` : '';
    const hash = clean(event.hash).slice(0, 16);
    const cells: Line[][] = [
      this.cell(innerW(0), [{ text: String(event.seq), font: BOLD, color: alert }]),
      this.cell(innerW(1), [
        { text: this.time(event.occurredAt), font: REGULAR, color: ink },
        { text: this.time(event.recordedAt), font: REGULAR, color: soft },
      ]),
      this.cell(innerW(2), [
        { text: orDash(clean(event.type)), font: BOLD, color: ink },
        { text: states, font: REGULAR, color: ink },
      ]),
      this.cell(innerW(3), [
        { text: orDash(clean(event.actorName)), font: REGULAR, color: ink },
        { text: clean(event.actorRole), font: REGULAR, color: soft },
        { text: event.onBehalfOfName ? `on behalf of ${clean(event.onBehalfOfName)}` : '', font: REGULAR, color: ink },
      ]),
      this.cell(innerW(4), [
        { text: orDash(clean(event.locationName)), font: REGULAR, color: ink },
        { text: clean(event.equipmentCode), font: REGULAR, color: soft },
      ]),
      this.cell(innerW(5), [
        { text: orDash(clean(event.source)), font: REGULAR, color: ink },
        { text: labelText(event.scannedLabel), font: REGULAR, color: soft },
      ]),
      this.cell(innerW(6), [{ text: orDash(hash), font: monoOr(hash), color: alert }]),
    ];

    const detailX = LEFT + COLUMNS[0].width + CELL_PAD_X;
    const detailW = CONTENT_W - COLUMNS[0].width - 2 * CELL_PAD_X;
    const detail: Line[] = [];
    if (inherited) detail.push(...this.cell(detailW, [{ text: `Inherited from ${clean(event.sampleCode)}`, font: BOLD, color: INHERITED }]));
    const summary = clean(event.summary, true);
    const reason = clean(event.reason, true);
    if (summary) detail.push(...this.cellText(detailW, summary, ink));
    if (reason) detail.push(...this.labelled(detailW, 'Reason:', reason, ink));
    if (broken) detail.push(...this.labelled(detailW, 'Chain broken here:', clean(this.report.chain.firstBroken?.reason), RED));

    const cellsH = 2 * CELL_PAD_Y + Math.max(...cells.map((lines) => lines.length)) * TABLE_PITCH;
    const total = cellsH + detail.length * TABLE_PITCH;
    const roomOnNewPage = BODY_BOTTOM - (TOP + CONTINUED_H + TABLE_HEADER_H);
    if (this.y + total > BODY_BOTTOM && total <= roomOnNewPage) this.newPage();
    else this.ensure(cellsH);

    this.band(cellsH, inherited);
    let x = LEFT;
    cells.forEach((lines, column) => {
      lines.forEach((line, n) => this.drawLine(line, x + CELL_PAD_X, this.y + CELL_PAD_Y + n * TABLE_PITCH));
      x += COLUMNS[column].width;
    });
    this.y += cellsH;
    for (const line of detail) {
      // Only a row taller than a page gets here with a page break: mark where it continues.
      if (this.ensure(TABLE_PITCH)) put(this.doc, `${event.seq}…`, LEFT + CELL_PAD_X, this.y, BOLD, TABLE_PT, alert);
      this.band(TABLE_PITCH, inherited);
      this.drawLine(line, detailX, this.y);
      this.y += TABLE_PITCH;
    }
    if (detail.length) {
      this.band(CELL_PAD_Y, inherited);
      this.y += CELL_PAD_Y;
    }
    this.rule(this.y);
  }

  // ------------------------------------------------------------ verification and sign-off

  private verification(): void {
    const { doc } = this;
    const { chain, events } = this.report;
    const status = chain.ok ? `Chain verified OK — ${chain.checked} events checked` : `Chain BROKEN — ${chain.checked} events checked up to the first broken link`;
    const head = clean(chain.headHash);
    doc.font(monoOr(head)).fontSize(9);
    const headLines = head ? wrap(doc, head, CONTENT_W) : ['— (no events)'];
    doc.font(BOLD).fontSize(9);
    const brokenLines = chain.ok
      ? []
      : wrap(doc, chain.firstBroken ? `First broken link: seq ${chain.firstBroken.seq} — ${clean(chain.firstBroken.reason)}` : 'First broken link: not reported', CONTENT_W);
    const inheritedCount = events.filter((event) => event.inherited).length;
    doc.font(REGULAR).fontSize(7.5);
    const note = wrap(
      doc,
      'Each event’s SHA-256 covers its recorded fields and the previous event’s hash, so changing, removing or reordering any recorded event ' +
        'breaks the chain from that event on. The Hash column shows the first 16 hex digits of each event’s hash.' +
        (inheritedCount ? ` Inherited events (grey, ${inheritedCount}) are records of the sample named in the row and belong to its chain.` : ''),
      CONTENT_W,
    );
    this.ensure(17 + 16 + 12 + headLines.length * 12 + brokenLines.length * 12 + 4 + note.length * 10);

    this.heading('Verification / 検証');
    put(doc, status, LEFT, this.y, BOLD, 10, chain.ok ? GREEN : RED);
    this.y += 16;
    put(doc, 'Head of chain (SHA-256 of the latest event):', LEFT, this.y, REGULAR, 8, MUTED);
    this.y += 12;
    for (const line of headLines) {
      put(doc, line, LEFT, this.y, head ? monoOr(head) : REGULAR, 9, BLACK);
      this.y += 12;
    }
    for (const line of brokenLines) {
      put(doc, line, LEFT, this.y, BOLD, 9, RED);
      this.y += 12;
    }
    this.y += 4;
    for (const line of note) {
      put(doc, line, LEFT, this.y, REGULAR, 7.5, MUTED);
      this.y += 10;
    }
    this.y += 16;
  }

  private signOff(): void {
    const { doc } = this;
    const pitch = 30;
    const rows = ['Name / 氏名', 'Date / 日付', 'Signature / 署名'];
    this.ensure(17 + rows.length * pitch + 4);
    this.heading('Reviewed by / 確認者');
    for (const label of rows) {
      this.y += pitch - 10;
      put(doc, label, LEFT, this.y - 10, REGULAR, 9, BLACK);
      doc.save().moveTo(LEFT + 100, this.y).lineTo(LEFT + 340, this.y).lineWidth(0.6).strokeColor(BLACK).stroke().restore();
      this.y += 10;
    }
  }

  /** Drawn last, when the number of pages is known (the document buffers its pages). */
  private footers(): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    const generated = `${this.code} · Chain of custody · generated ${this.time(this.report.generatedAt)} by ${clean(this.report.generatedBy) || '—'}`;
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i);
      this.rule(FOOTER_RULE_Y);
      const page = `page ${i + 1} of ${range.count}`;
      doc.font(REGULAR).fontSize(7);
      const pageW = doc.widthOfString(page);
      put(doc, fit(doc, generated, CONTENT_W - pageW - 12), LEFT, FOOTER_TOP, REGULAR, 7, MUTED);
      put(doc, page, RIGHT - pageW, FOOTER_TOP, REGULAR, 7, BLACK);
    }
  }
}

// ---------------------------------------------------------------- entry point

/**
 * Renders the report as a PDF into `out` and resolves when `out` has finished. On any error
 * (invalid input, a drawing failure, `out` failing or closing early) it rejects and `out` is
 * destroyed with the error, so that nobody mistakes half a PDF for a whole one.
 *
 * Pages are buffered (`bufferPages`) so the footer can say "page N of M"; reports are a few
 * pages, so holding them until the end costs little.
 */
export async function renderCustodyReport(report: CustodyReport, out: NodeJS.WritableStream): Promise<void> {
  let piped: Promise<void> | undefined;
  try {
    checkReport(report);
    const { regular, bold } = await loadFonts();
    const code = clean(report.sample.code);
    const doc = new PDFDocument({
      autoFirstPage: false,
      bufferPages: true,
      compress: true,
      margin: 0,
      pdfVersion: '1.7',
      info: {
        Title: `Chain of custody ${code}`,
        Subject: `${code} ${clean(report.sample.name)}`.trim(),
        Author: clean(report.generatedBy),
        Creator: 'Foundry Hub',
        Producer: 'Foundry Hub (pdfkit)',
        // The report's own time, not the clock: the same report renders to the same bytes.
        CreationDate: report.generatedAt,
      },
    });
    doc.registerFont(REGULAR, regular);
    doc.registerFont(BOLD, bold);
    // pipeline rather than a bare doc.pipe: it ends `out`, and an error on either side
    // destroys both and rejects.
    piped = pipeline(doc, out);
    try {
      new CustodyReportWriter(doc, report).draw();
      doc.end();
    } catch (error) {
      doc.destroy(error instanceof Error ? error : new Error(String(error)));
    }
    await piped;
  } catch (error) {
    // Once piped, pipeline has destroyed `out` already. Before, it is destroyed here without
    // the error: the rejection reports it, and an 'error' event that `out` has no listener for
    // would crash the process.
    if (!piped) (out as Writable).destroy();
    throw error;
  }
}
