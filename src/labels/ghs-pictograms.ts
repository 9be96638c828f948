/**
 * GHS hazard pictograms (UN GHS, annex 3) drawn as vector shapes with pdfkit, so that every
 * PDF we make (labels, chain-of-custody reports, shipping papers) can show them without image
 * files or a pictogram font: they print sharp at any size and any dpi, and add a few hundred
 * bytes of path operators.
 *
 * The symbols are simplified for small labels (a 6-9 mm diamond on a thermal printer): the
 * silhouette that makes each one recognisable is kept, fine detail is left out. Each is drawn
 * in a 100 × 100 box (y downwards, as in pdfkit) and scaled to the requested size. The
 * diamond's corners touch the box; the symbol stays inside the diamond's white field.
 */
import type PDFDocument from 'pdfkit';

type Doc = typeof PDFDocument;

export const GHS_CODES = ['GHS01', 'GHS02', 'GHS03', 'GHS04', 'GHS05', 'GHS06', 'GHS07', 'GHS08', 'GHS09'] as const;
export type GhsCode = (typeof GHS_CODES)[number];

/** The pictograms' names, for alternative text and for places that print codes, not symbols. */
export const GHS_PICTOGRAM_NAMES: Readonly<Record<GhsCode, string>> = Object.freeze({
  GHS01: 'Exploding bomb',
  GHS02: 'Flame',
  GHS03: 'Flame over circle',
  GHS04: 'Gas cylinder',
  GHS05: 'Corrosion',
  GHS06: 'Skull and crossbones',
  GHS07: 'Exclamation mark',
  GHS08: 'Health hazard',
  GHS09: 'Environment',
});

export function isGhsCode(code: unknown): code is GhsCode {
  return typeof code === 'string' && (GHS_CODES as readonly string[]).includes(code);
}

/** GHS asks for a red frame; on a black-only printer the driver prints it black. */
const FRAME_RED = '#E4002B';
const BLACK = '#000000';
const WHITE = '#FFFFFF';
/** Frame width as a share of the box: wide enough to survive 203 dpi at 6 mm. */
const FRAME = 8;

type Point = [number, number];

/** A star (burst) polygon around (cx, cy): `points` spikes alternating `outer` and `inner` radii. */
function star(cx: number, cy: number, outer: number, inner: number, points: number, rotationDeg = -90): Point[] {
  const result: Point[] = [];
  for (let i = 0; i < points * 2; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = ((rotationDeg + (i * 180) / points) * Math.PI) / 180;
    result.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
  }
  return result;
}

function fill(doc: Doc, color: string): void {
  doc.fillColor(color).fill();
}

/** A thick line with round caps, the way bones, branches and test tubes are drawn. */
function bar(doc: Doc, from: Point, to: Point, width: number, color = BLACK): void {
  doc.save().lineWidth(width).lineCap('round').strokeColor(color).moveTo(...from).lineTo(...to).stroke().restore();
}

const FLAME = 'M50 25 C54 33 63 38 63 51 C63 60 57.5 66 50 66 C42.5 66 37 60 37 52 C37 45 41 41 43 36 C44.5 41 46.5 43.5 48.5 44.5 C47 38 47.5 31 50 25 Z';

const SYMBOLS: Record<GhsCode, (doc: Doc) => void> = {
  // Exploding bomb: a burst with flying fragments, the bomb in front of it.
  GHS01(doc) {
    doc.polygon(...star(54, 44, 19, 8.5, 10));
    fill(doc, BLACK);
    for (const [x, y] of [[31, 38], [70, 58], [62, 66]] as Point[]) {
      doc.polygon([x - 3, y + 2], [x + 3, y - 3], [x + 2, y + 3]);
      fill(doc, BLACK);
    }
    // The white ring separates the bomb from the burst behind it.
    doc.circle(42, 59, 10);
    fill(doc, WHITE);
    doc.circle(42, 59, 8);
    fill(doc, BLACK);
  },
  // Flame on a base line.
  GHS02(doc) {
    doc.path(FLAME);
    fill(doc, BLACK);
    doc.path('M50 47 C53 51 55 54 55 58 C55 61 53 63 50 63 C47 63 45 61 45 58 C45 55 47 52 50 47 Z');
    fill(doc, WHITE);
    doc.rect(36, 68.5, 28, 4.5);
    fill(doc, BLACK);
  },
  // Flame over circle (oxidiser): a ring with a flame rising from it, on a base line.
  GHS03(doc) {
    doc.path('M50 24 C53 30 59 33 59 42 C59 45 58 47 56.5 48.5 L43.5 48.5 C42 47 41 45 41 42 C41 37 44 35 45.5 31 C46.5 34 47.5 35.5 48.5 36 C47.5 32 48 28 50 24 Z');
    fill(doc, BLACK);
    doc.save().lineWidth(5).strokeColor(BLACK).circle(50, 57, 9.5).stroke().restore();
    doc.rect(37, 69.5, 26, 4);
    fill(doc, BLACK);
  },
  // Gas cylinder lying at an angle: body, shoulder, valve.
  GHS04(doc) {
    doc.save().rotate(-25, { origin: [50, 52] });
    doc.roundedRect(29, 45, 36, 15, 5);
    fill(doc, BLACK);
    doc.rect(64, 48.5, 5, 8);
    fill(doc, BLACK);
    doc.rect(69, 46, 3.5, 13);
    fill(doc, BLACK);
    // A highlight along the body, so it reads as a cylinder and not as a bar.
    doc.rect(33, 48, 26, 2.2);
    fill(doc, WHITE);
    doc.restore();
  },
  // Corrosion: two tubes pouring onto a surface and a hand, both eaten away.
  GHS05(doc) {
    bar(doc, [38.5, 29.5], [44, 39], 5.5);
    bar(doc, [61.5, 29.5], [56, 39], 5.5);
    for (const [x, y] of [[44.5, 45], [44.5, 51.5], [55.5, 45], [55.5, 51.5]] as Point[]) {
      doc.path(`M${x} ${y - 3} C${x + 1.8} ${y} ${x + 1.8} ${y + 2.2} ${x} ${y + 2.2} C${x - 1.8} ${y + 2.2} ${x - 1.8} ${y} ${x} ${y - 3} Z`);
      fill(doc, BLACK);
    }
    // Surface with a bite out of its top edge.
    doc.polygon([30.5, 58], [39, 58], [41.5, 62], [44, 58], [47.5, 58], [47.5, 67], [30.5, 67]);
    fill(doc, BLACK);
    // Hand: palm and fingers, a bite out of the fingertips.
    doc.polygon([52.5, 67], [52.5, 59], [57, 56.5], [63.5, 56.5], [65, 59.5], [67, 56.5], [70, 59], [66.5, 64], [61, 67]);
    fill(doc, BLACK);
  },
  // Skull and crossbones.
  GHS06(doc) {
    for (const [from, to] of [[[37, 54], [63, 67]], [[63, 54], [37, 67]]] as [Point, Point][]) {
      bar(doc, from, to, 4.5);
      for (const [x, y] of [from, to]) {
        doc.circle(x, y - 1.8, 2.6).circle(x, y + 1.8, 2.6);
        fill(doc, BLACK);
      }
    }
    doc.circle(50, 40, 12.5);
    fill(doc, BLACK);
    doc.roundedRect(43.5, 45, 13, 12, 2.5);
    fill(doc, BLACK);
    doc.circle(45, 40, 3.6).circle(55, 40, 3.6);
    fill(doc, WHITE);
    doc.polygon([50, 44.5], [48, 48.5], [52, 48.5]);
    fill(doc, WHITE);
    for (const x of [47, 50, 53]) {
      doc.rect(x - 0.6, 52, 1.2, 5);
      fill(doc, WHITE);
    }
  },
  // Exclamation mark.
  GHS07(doc) {
    doc.path('M44 31 C44 25 56 25 56 31 L53 59 L47 59 Z');
    fill(doc, BLACK);
    doc.circle(50, 67, 4.8);
    fill(doc, BLACK);
  },
  // Health hazard: a bust with a burst on the chest.
  GHS08(doc) {
    doc.circle(50, 33, 7.5);
    fill(doc, BLACK);
    doc.path('M35 69 C35 54 41 45 50 45 C59 45 65 54 65 69 Z');
    fill(doc, BLACK);
    doc.polygon(...star(50, 58.5, 8.5, 3.5, 8));
    fill(doc, WHITE);
  },
  // Environment: a dead tree and a dead fish on the ground.
  GHS09(doc) {
    bar(doc, [40, 66], [40, 32], 3.2);
    bar(doc, [40, 49], [32, 40], 2.2);
    bar(doc, [40, 44], [47, 35], 2.2);
    bar(doc, [40, 55], [47, 49], 2.2);
    bar(doc, [34, 67.5], [66.5, 67.5], 2.6);
    // Fish belly up: body, tail, an X for the eye.
    doc.ellipse(56, 60.5, 9.5, 4.8);
    fill(doc, BLACK);
    doc.polygon([63.5, 60.5], [69.5, 56], [69.5, 65]);
    fill(doc, BLACK);
    bar(doc, [49.5, 58.5], [52.5, 61.5], 1, WHITE);
    bar(doc, [52.5, 58.5], [49.5, 61.5], 1, WHITE);
  },
};

/**
 * Draws pictogram `code` as a red-framed diamond whose bounding square has its top-left corner
 * at (x, y) and side `size`, in the document's current units (points unless transformed).
 * Leaves the graphics state as it found it.
 */
export function drawGhsPictogram(doc: Doc, code: GhsCode, x: number, y: number, size: number): void {
  if (!isGhsCode(code)) throw new RangeError(`unknown GHS pictogram "${String(code)}" (known: ${GHS_CODES.join(', ')})`);
  if (!(size > 0)) throw new RangeError(`pictogram size must be positive, got ${size}`);
  doc.save();
  doc.translate(x, y).scale(size / 100);
  // Frame: a red diamond with a white one inside, so the frame keeps its width exactly.
  doc.polygon([50, 0], [100, 50], [50, 100], [0, 50]);
  fill(doc, FRAME_RED);
  const inset = FRAME * Math.SQRT2;
  doc.polygon([50, inset], [100 - inset, 50], [50, 100 - inset], [inset, 50]);
  fill(doc, WHITE);
  SYMBOLS[code](doc);
  doc.restore();
}
