import { generateLabelId, labelUrl } from './label-id';
import { LABEL_MEDIA, LABEL_MEDIA_NAMES, labelsPerPage } from './label-media';
import {
  chooseDotsPerModule,
  encodeLabelQr,
  labelCellDots,
  MAX_DOTS_PER_MODULE,
  placeQr,
  QR_MAX_WIDTH_SHARE,
  QR_QUIET_ZONE_MODULES,
  qrRunsPath,
} from './label-qr';

const QUIET = QR_QUIET_ZONE_MODULES;

describe('encodeLabelQr', () => {
  const url = labelUrl('https://hub.example.jp', generateLabelId()); // 35 characters

  it('uses alphanumeric mode: 35 characters fit version 2 at M (byte mode would need version 3)', () => {
    expect(encodeLabelQr(url, 'M')).toMatchObject({ version: 2, size: 25 });
    expect(encodeLabelQr(url, 'Q')).toMatchObject({ version: 3, size: 29 });
    expect(encodeLabelQr(url).modules).toHaveLength(25 * 25);
  });

  it('refuses text that is not QR alphanumeric instead of falling back to byte mode', () => {
    expect(() => encodeLabelQr(url.toLowerCase())).toThrow(TypeError);
    expect(() => encodeLabelQr('')).toThrow(TypeError);
  });
});

describe('qrRunsPath', () => {
  it('covers exactly the dark modules, one rectangle per horizontal run', () => {
    const symbol = encodeLabelQr(labelUrl('https://hub.example.jp', generateLabelId()));
    const painted = new Uint8Array(symbol.size * symbol.size);
    const runs = qrRunsPath(symbol).split('\n');
    for (const run of runs) {
      const [col, row, width, height, op] = run.split(' ');
      expect([height, op]).toEqual(['1', 're']);
      for (let c = Number(col); c < Number(col) + Number(width); c++) painted[Number(row) * symbol.size + c]++;
    }
    expect(Array.from(painted)).toEqual(Array.from(symbol.modules));
    expect(runs.length).toBeLessThan(symbol.modules.reduce((sum, bit) => sum + bit, 0) * 0.75);
  });
});

describe('chooseDotsPerModule and placeQr', () => {
  // Versions 1 to 10: 21 to 57 modules a side.
  const sizes = Array.from({ length: 10 }, (_, i) => 21 + 4 * i);

  it.each(LABEL_MEDIA_NAMES)('%s: picks the largest whole number of dots that keeps every bound', (name) => {
    const media = LABEL_MEDIA[name];
    const cell = labelCellDots(media);
    const fits = (k: number, n: number) =>
      k * (n + 2 * QUIET) <= cell.heightDots - 1 &&
      k * n <= cell.heightDots - 2 * cell.marginYDots - 1 &&
      Math.max(cell.marginXDots, QUIET * k) + (n + QUIET) * k + 1 <= cell.widthDots * QR_MAX_WIDTH_SHARE;
    for (const n of sizes) {
      const k = chooseDotsPerModule(cell, n);
      expect(Number.isInteger(k)).toBe(true);
      if (k > 0) expect(fits(k, n)).toBe(true);
      if (k < MAX_DOTS_PER_MODULE) expect(fits(k + 1, n)).toBe(false);
    }
  });

  it.each(LABEL_MEDIA_NAMES)('%s: puts the symbol on whole dots, quiet zone inside the label, modules inside the printable area', (name) => {
    const media = LABEL_MEDIA[name];
    for (let slot = 0; slot < labelsPerPage(media); slot++) {
      const cell = labelCellDots(media, slot);
      for (const n of [25, 29, 33]) {
        const qr = placeQr(cell, n);
        const k = qr.dotsPerModule;
        expect([qr.xDots, qr.yDots, qr.sizeDots, qr.textLeftDots].every(Number.isInteger)).toBe(true);
        expect(qr.sizeDots).toBe(n * k);
        // Quiet zone on all four sides, inside the label.
        expect(qr.xDots - QUIET * k).toBeGreaterThanOrEqual(cell.xDots);
        expect(qr.yDots - QUIET * k).toBeGreaterThanOrEqual(cell.yDots);
        expect(qr.yDots + qr.sizeDots + QUIET * k).toBeLessThanOrEqual(cell.yDots + cell.heightDots);
        // Dark modules clear of the unprintable border.
        expect(qr.xDots).toBeGreaterThanOrEqual(cell.xDots + cell.marginXDots);
        expect(qr.yDots).toBeGreaterThanOrEqual(cell.yDots + cell.marginYDots);
        expect(qr.yDots + qr.sizeDots).toBeLessThanOrEqual(cell.yDots + cell.heightDots - cell.marginYDots);
        // Text starts after the right quiet zone, and at most half the label goes to the code.
        expect(qr.textLeftDots).toBe(qr.xDots + qr.sizeDots + QUIET * k);
        expect(qr.textLeftDots).toBeLessThanOrEqual(cell.xDots + cell.widthDots * QR_MAX_WIDTH_SHARE);
      }
    }
  });

  it('refuses a code that would get fewer than 2 dots per module', () => {
    const cell = labelCellDots(LABEL_MEDIA['zebra-50x25']);
    expect(() => placeQr(cell, 101)).toThrow(RangeError);
  });

  it('scales the Zebra stock to 300 dpi heads', () => {
    const cell = labelCellDots(LABEL_MEDIA['zebra-50x25'], 0, 300);
    expect(cell.widthDots).toBeCloseTo(590.55, 2);
    expect(cell.heightDots).toBeCloseTo(295.28, 2);
    expect(chooseDotsPerModule(cell, 29)).toBe(7);
  });
});
