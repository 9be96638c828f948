import { create } from 'qrcode';
import { isQrAlphanumeric } from './label-id';
import { labelMedia, labelOriginMm, LabelMedia, LabelMediaName } from './label-media';

/**
 * The QR code of a label: encoding, and the geometry that makes it print crisply.
 *
 * A thermal head prints whole dots. A module of 3.4 dots comes out as 3 or 4 dots depending on
 * where it falls, so bars and gaps get uneven and cheap scanners fail; a module of exactly
 * k dots, starting on a dot boundary, prints exactly. Every size here is therefore worked out
 * in printer dots first and converted to PDF points (or ZPL dots) last.
 */

export type QrErrorCorrection = 'M' | 'Q';

/** ISO/IEC 18004 asks for 4 modules of light margin on every side. */
export const QR_QUIET_ZONE_MODULES = 4;

/**
 * Below 2 dots a module is 0.17 mm at 300 dpi: phones still read that from close up, but one
 * burnt or missing dot changes a module by half. Refuse rather than print such a code.
 */
export const MIN_DOTS_PER_MODULE = 2;

/** ZPL's ^BQ magnification tops out at 10 dots per module; no reason to go larger in PDF. */
export const MAX_DOTS_PER_MODULE = 10;

/** Share of a label's width the code, quiet zone included, may take: the rest is for text. */
export const QR_MAX_WIDTH_SHARE = 0.5;

export interface QrSymbol {
  readonly version: number;
  /** Modules per side (21 for version 1, +4 per version). */
  readonly size: number;
  /** Row-major, 1 = dark. */
  readonly modules: Uint8Array;
}

/**
 * Encodes an upper-case label URL as one explicit alphanumeric segment. Left to itself the
 * library would also pick alphanumeric for such input, but saying so makes a lower-case or
 * otherwise unsuitable URL an error here instead of a silently larger byte-mode symbol.
 */
export function encodeLabelQr(url: string, errorCorrection: QrErrorCorrection = 'M'): QrSymbol {
  if (!url || !isQrAlphanumeric(url)) {
    throw new TypeError(`QR payload "${url}" is not QR alphanumeric (build it with labelUrl())`);
  }
  const qr = create([{ data: url, mode: 'alphanumeric' }], { errorCorrectionLevel: errorCorrection });
  return { version: qr.version, size: qr.modules.size, modules: qr.modules.data };
}

/** A label's box on the page in printer dots (may be fractional: labels sit on mm positions). */
export interface LabelCellDots {
  readonly xDots: number;
  readonly yDots: number;
  readonly widthDots: number;
  readonly heightDots: number;
  readonly marginXDots: number;
  readonly marginYDots: number;
}

export interface QrPlacement {
  readonly dotsPerModule: number;
  /** Top-left corner of the symbol (first dark-capable module), whole dots on the page. */
  readonly xDots: number;
  readonly yDots: number;
  /** Symbol side in dots, quiet zone excluded. */
  readonly sizeDots: number;
  /** First dot right of the right quiet zone: where text may start. */
  readonly textLeftDots: number;
}

const mmToDots = (mm: number, dpi: number) => (mm * dpi) / 25.4;

/** A label slot of a medium in dots, at the medium's dpi unless another is given (ZPL). */
export function labelCellDots(media: LabelMedia, slot = 0, dpi = media.dpi): LabelCellDots {
  const { xMm, yMm } = labelOriginMm(media, slot);
  return {
    xDots: mmToDots(xMm, dpi),
    yDots: mmToDots(yMm, dpi),
    widthDots: mmToDots(media.label.widthMm, dpi),
    heightDots: mmToDots(media.label.heightMm, dpi),
    marginXDots: mmToDots(media.marginMm.x, dpi),
    marginYDots: mmToDots(media.marginMm.y, dpi),
  };
}

/**
 * The largest whole number of dots per module for a symbol of `modules` per side in `cell`,
 * or 0 when not even one fits. The code with its quiet zone must lie inside the label (the
 * quiet zone only needs white, and the unprintable border is white), the dark modules inside
 * the printable area, and the code may take at most QR_MAX_WIDTH_SHARE of the width. One dot
 * of every bound is kept back so that snapping to the dot grid cannot eat into the quiet zone.
 */
export function chooseDotsPerModule(cell: LabelCellDots, modules: number): number {
  const quiet = QR_QUIET_ZONE_MODULES;
  const byHeight = Math.floor((cell.heightDots - 1) / (modules + 2 * quiet));
  const byPrintable = Math.floor((cell.heightDots - 2 * cell.marginYDots - 1) / modules);
  for (let k = Math.min(byHeight, byPrintable, MAX_DOTS_PER_MODULE); k >= 1; k--) {
    if (Math.max(cell.marginXDots, quiet * k) + (modules + quiet) * k + 1 <= cell.widthDots * QR_MAX_WIDTH_SHARE) return k;
  }
  return 0;
}

/** Where the symbol goes in `cell`: left, vertically centred, on whole dots of the page grid. */
export function placeQr(cell: LabelCellDots, modules: number): QrPlacement {
  const k = chooseDotsPerModule(cell, modules);
  if (k < MIN_DOTS_PER_MODULE) {
    throw new RangeError(
      `a QR code of ${modules} modules does not fit this label at ${MIN_DOTS_PER_MODULE} dots per module; ` +
        'use a shorter PUBLIC_URL, error correction M, or a larger medium',
    );
  }
  const sizeDots = modules * k;
  // ceil: never closer to the edge than the margin or the quiet zone asks for.
  const xDots = Math.ceil(cell.xDots + Math.max(cell.marginXDots, QR_QUIET_ZONE_MODULES * k));
  const yDots = Math.round(cell.yDots + (cell.heightDots - sizeDots) / 2);
  return { dotsPerModule: k, xDots, yDots, sizeDots, textLeftDots: xDots + sizeDots + QR_QUIET_ZONE_MODULES * k };
}

/**
 * Dots per module the PDF renderer uses for `url` on `media` (first slot; every slot of a
 * sheet has the same size, so the same answer). Throws when the code does not fit.
 */
export function qrDotsPerModule(media: LabelMediaName, url: string, errorCorrection: QrErrorCorrection = 'M'): number {
  const medium = labelMedia(media);
  return placeQr(labelCellDots(medium), encodeLabelQr(url, errorCorrection).size).dotsPerModule;
}

/**
 * The dark modules as PDF rectangles in module units (`col row width 1 re`), one per
 * horizontal run: about a third of the operators of one rectangle per module, and whole
 * numbers only, so the content stream is small and exact. Filled as one path, runs that touch
 * leave no hairline seams in the rasteriser.
 */
export function qrRunsPath(symbol: QrSymbol): string {
  const { size, modules } = symbol;
  const parts: string[] = [];
  for (let row = 0; row < size; row++) {
    const offset = row * size;
    let col = 0;
    while (col < size) {
      if (!modules[offset + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules[offset + col]) col++;
      parts.push(`${start} ${row} ${col - start} 1 re`);
    }
  }
  return parts.join('\n');
}
