/**
 * The label stocks we print on. Every size is in millimetres as sold; PDF pages are sized
 * exactly to the stock (1 mm = 72/25.4 pt) so that printer drivers print at 100 % without
 * "fit to page" scaling, which would break the QR code's whole-dot module size.
 */

export const POINTS_PER_MM = 72 / 25.4;

export function mmToPt(mm: number): number {
  return mm * POINTS_PER_MM;
}

export type LabelMediaName = 'brother-62x29' | 'brother-62' | 'zebra-50x25' | 'a4-sheet';

export interface LabelMedia {
  readonly name: LabelMediaName;
  readonly description: string;
  /**
   * The printer's resolution. QR modules are a whole number of these dots wide, so the
   * printer never has to round a module edge to the nearest dot (uneven modules are the
   * usual reason a thermal-printed code scans badly). Assumed for office printers.
   */
  readonly dpi: number;
  /** The PDF page: one label for rolls, the whole sheet for sheets. */
  readonly page: { readonly widthMm: number; readonly heightMm: number };
  /** One label. */
  readonly label: { readonly widthMm: number; readonly heightMm: number };
  /**
   * Where the labels sit on the page: `columns × rows` labels, the first one's top-left
   * corner at (`leftMm`, `topMm`), the others every `pitchXMm` / `pitchYMm`.
   */
  readonly grid: {
    readonly columns: number;
    readonly rows: number;
    readonly leftMm: number;
    readonly topMm: number;
    readonly pitchXMm: number;
    readonly pitchYMm: number;
  };
  /**
   * Border of each label that nothing dark may touch: the printer's unprintable edge (Brother
   * QL: about 1.5 mm at the sides, 3 mm at the ends) or, for sheets, an office printer's
   * 4-5 mm edge plus die-cut tolerance. The QR quiet zone (white anyway) may lie in it.
   */
  readonly marginMm: { readonly x: number; readonly y: number };
  /** Text sizes in points and the size of a GHS pictogram (its square) in millimetres. */
  readonly text: { readonly titlePt: number; readonly linePt: number; readonly idPt: number; readonly pictogramMm: number };
}

const roll = (widthMm: number, heightMm: number) => ({
  page: { widthMm, heightMm },
  label: { widthMm, heightMm },
  grid: { columns: 1, rows: 1, leftMm: 0, topMm: 0, pitchXMm: widthMm, pitchYMm: heightMm },
});

export const LABEL_MEDIA: Readonly<Record<LabelMediaName, LabelMedia>> = Object.freeze({
  'brother-62x29': {
    name: 'brother-62x29',
    description: 'Brother QL die-cut 62 × 29 mm (DK-11209), 300 dpi',
    dpi: 300,
    ...roll(62, 29),
    marginMm: { x: 1.5, y: 3 },
    text: { titlePt: 9, linePt: 6.5, idPt: 6, pictogramMm: 7 },
  },
  'brother-62': {
    name: 'brother-62',
    description: 'Brother QL continuous 62 mm tape (DK-22205), cut at 40 mm, 300 dpi',
    dpi: 300,
    // A fixed length keeps every label of a batch the same and the layout simple; 40 mm
    // leaves room for three lines and a row of pictograms under the title.
    ...roll(62, 40),
    marginMm: { x: 1.5, y: 3 },
    text: { titlePt: 10, linePt: 7.5, idPt: 6.5, pictogramMm: 9 },
  },
  'zebra-50x25': {
    name: 'zebra-50x25',
    description: 'Zebra direct-thermal 50 × 25 mm, 203 dpi',
    dpi: 203,
    ...roll(50, 25),
    marginMm: { x: 1, y: 1 },
    text: { titlePt: 8.5, linePt: 6.5, idPt: 6, pictogramMm: 6.5 },
  },
  'a4-sheet': {
    name: 'a4-sheet',
    description: 'A4 sheet of 24 labels, 3 × 8 of 70 × 37 mm, for office printers (300 dpi assumed)',
    dpi: 300,
    page: { widthMm: 210, heightMm: 297 },
    label: { widthMm: 70, heightMm: 37 },
    // 8 × 37 mm = 296 mm: the sheet has half a millimetre of border at the top and bottom.
    grid: { columns: 3, rows: 8, leftMm: 0, topMm: 0.5, pitchXMm: 70, pitchYMm: 37 },
    marginMm: { x: 5, y: 4 },
    text: { titlePt: 10, linePt: 7.5, idPt: 6.5, pictogramMm: 8 },
  },
});

export const LABEL_MEDIA_NAMES = Object.keys(LABEL_MEDIA) as LabelMediaName[];

export function isLabelMediaName(name: unknown): name is LabelMediaName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(LABEL_MEDIA, name);
}

/** The medium by name; throws on an unknown name (an API's DTO should have refused it). */
export function labelMedia(name: LabelMediaName): LabelMedia {
  if (!isLabelMediaName(name)) throw new RangeError(`unknown label medium "${String(name)}" (known: ${LABEL_MEDIA_NAMES.join(', ')})`);
  return LABEL_MEDIA[name];
}

export function labelsPerPage(media: LabelMedia): number {
  return media.grid.columns * media.grid.rows;
}

/** The PDF page size in points, [width, height]. */
export function pageSizePt(media: LabelMedia): [number, number] {
  return [mmToPt(media.page.widthMm), mmToPt(media.page.heightMm)];
}

/** Top-left corner of label `slot` (0-based, row by row) on its page, in millimetres. */
export function labelOriginMm(media: LabelMedia, slot: number): { xMm: number; yMm: number } {
  const { columns, leftMm, topMm, pitchXMm, pitchYMm } = media.grid;
  return { xMm: leftMm + (slot % columns) * pitchXMm, yMm: topMm + Math.floor(slot / columns) * pitchYMm };
}
