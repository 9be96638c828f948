import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { drawGhsPictogram, GHS_CODES, GHS_PICTOGRAM_NAMES, GhsCode, isGhsCode } from './ghs-pictograms';
import { isDark, openPdfs, pixel, readRgba, Rgba } from './testing/pdf-raster';

const SIZE = 100; // points; rasterised at 72 dpi, one pixel per point
const PITCH = 110;

describe('drawGhsPictogram', () => {
  let dir: string;
  let image: Rgba;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'foundry-ghs-'));
    const doc = new PDFDocument({ size: [PITCH * GHS_CODES.length, PITCH], margin: 0 });
    const file = join(dir, 'ghs.pdf');
    const out = createWriteStream(file);
    doc.pipe(out);
    GHS_CODES.forEach((code, i) => drawGhsPictogram(doc, code, i * PITCH + 5, 5, SIZE));
    // Drawn after the pictograms: must come out black, not in a colour they left behind.
    doc.rect(0, 0, 3, 3).fill();
    doc.end();
    await finished(out);
    const [result] = await openPdfs([{ pdf: file, rgba: join(dir, 'ghs.rgba'), dpi: 72 }]);
    image = await readRgba(join(dir, 'ghs.rgba'), result.raster!);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const at = (i: number, x: number, y: number) => pixel(image, i * PITCH + 5 + x, 5 + y);
  const isRed = ([r, g, b]: [number, number, number]) => r > 180 && g < 80 && b < 100;
  const isWhite = ([r, g, b]: [number, number, number]) => r > 240 && g > 240 && b > 240;

  /** The symbol's black pixels inside the white field, as a string of 0s and 1s. */
  function symbolBitmap(i: number): string {
    let bits = '';
    for (let y = 20; y < 80; y++) for (let x = 20; x < 80; x++) bits += isDark(at(i, x, y)) ? '1' : '0';
    return bits;
  }

  it.each(GHS_CODES.map((code, i) => ({ code, i })))('$code: a red-framed white diamond with a black symbol inside', ({ i }) => {
    // Red frame just inside each corner of the diamond; white outside it.
    for (const [x, y] of [[50, 4], [96, 50], [50, 96], [4, 50]]) expect(isRed(at(i, x, y))).toBe(true);
    for (const [x, y] of [[8, 8], [92, 8], [8, 92], [92, 92]]) expect(isWhite(at(i, x, y))).toBe(true);
    const black = symbolBitmap(i).split('').filter((bit) => bit === '1').length;
    expect(black).toBeGreaterThan(150);
    expect(black).toBeLessThan(60 * 60 * 0.5);
    // The symbol stays well inside the white field (|dx| + |dy| <= 38.7 from the centre).
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const distance = Math.abs(x + 0.5 - 50) + Math.abs(y + 0.5 - 50);
        if (distance > 36 && distance < 37.5) expect({ x, y, ink: isDark(at(i, x, y)) && !isRed(at(i, x, y)) }).toEqual({ x, y, ink: false });
      }
    }
  });

  it('draws nine different symbols', () => {
    const bitmaps = GHS_CODES.map((_, i) => symbolBitmap(i));
    expect(new Set(bitmaps).size).toBe(9);
  });

  it('leaves the graphics state as it found it', () => {
    expect(pixel(image, 1, 1)).toEqual([0, 0, 0]);
  });

  it('refuses unknown codes and sizes', () => {
    const doc = new PDFDocument();
    expect(() => drawGhsPictogram(doc, 'GHS10' as GhsCode, 0, 0, 20)).toThrow(RangeError);
    expect(() => drawGhsPictogram(doc, 'GHS01', 0, 0, 0)).toThrow(RangeError);
    expect(isGhsCode('GHS09')).toBe(true);
    expect(isGhsCode('ghs09')).toBe(false);
    expect(Object.keys(GHS_PICTOGRAM_NAMES)).toEqual([...GHS_CODES]);
  });
});
