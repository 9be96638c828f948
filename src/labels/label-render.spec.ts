import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { formatLabelId, generateLabelId, labelUrl } from './label-id';
import { LABEL_MEDIA, LABEL_MEDIA_NAMES, LabelMediaName, pageSizePt } from './label-media';
import { encodeLabelQr, labelCellDots, placeQr } from './label-qr';
import { LabelContent, pdfFontPaths, qrDotsPerModule, QrErrorCorrection, renderLabelsPdf, renderLabelZpl } from './label-render';
import { PUBLIC_URL, sampleLabel } from './testing/label-fixtures';
import { crop, isDark, openPdfs, pixel, RasterResult, readRgba, Rgba } from './testing/pdf-raster';

/** Template tests: every medium renders, decodes at its printer's dpi and shows its text; ZPL. */

async function renderToFile(labels: Parameters<typeof renderLabelsPdf>[0], media: LabelMediaName, file: string, errorCorrection?: QrErrorCorrection) {
  await renderLabelsPdf(labels, media, createWriteStream(file), { errorCorrection });
}

/**
 * The full width, in pixels, of the finder pattern whose centre jsQR reported, measured along
 * its middle row (dark centre, light ring, dark ring), and how many pixels on that row are
 * neither black nor white: 0 when every module edge falls on a pixel (= printer dot) edge.
 */
function finderPattern(image: Rgba, centre: { x: number; y: number }): { width: number; grey: number } {
  const y = Math.round(centre.y);
  const dark = (x: number) => isDark(pixel(image, x, y));
  const outerEdge = (step: 1 | -1) => {
    let x = Math.round(centre.x);
    for (const wanted of [true, false, true]) while (dark(x) === wanted) x += step;
    return x - step;
  };
  const left = outerEdge(-1);
  const right = outerEdge(1);
  let grey = 0;
  for (let x = left - 2; x <= right + 2; x++) {
    const [r] = pixel(image, x, y);
    if (r > 40 && r < 215) grey++;
  }
  return { width: right - left + 1, grey };
}

describe('renderLabelsPdf', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'foundry-labels-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('every template decodes', () => {
    const cases = LABEL_MEDIA_NAMES.flatMap((media) => (['M', 'Q'] as const).map((errorCorrection) => ({ media, errorCorrection })));
    const labels = new Map<string, LabelContent>();
    const opened = new Map<string, RasterResult>();
    const key = (media: string, errorCorrection: string) => `${media}-${errorCorrection}`;

    beforeAll(async () => {
      await Promise.all(
        cases.map(async ({ media, errorCorrection }) => {
          const label = sampleLabel();
          labels.set(key(media, errorCorrection), label);
          await renderToFile([label], media, join(dir, `${key(media, errorCorrection)}.pdf`), errorCorrection);
        }),
      );
      const results = await openPdfs(
        cases.map(({ media, errorCorrection }) => ({
          pdf: join(dir, `${key(media, errorCorrection)}.pdf`),
          rgba: join(dir, `${key(media, errorCorrection)}.rgba`),
          dpi: LABEL_MEDIA[media].dpi,
          text: true,
        })),
      );
      cases.forEach(({ media, errorCorrection }, i) => opened.set(key(media, errorCorrection), results[i]));
    });

    it.each(cases)('$media, error correction $errorCorrection: the QR code decodes to the label URL at the printer dpi', async ({ media, errorCorrection }) => {
      const label = labels.get(key(media, errorCorrection))!;
      const result = opened.get(key(media, errorCorrection))!;
      const medium = LABEL_MEDIA[media];

      // The page is exactly the stock, in points.
      const [width, height] = pageSizePt(medium);
      expect(result.pageCount).toBe(1);
      expect(result.pageSize[0]).toBeCloseTo(width, 3);
      expect(result.pageSize[1]).toBeCloseTo(height, 3);

      // Decoded from the first label's box of the page raster at the medium's dpi.
      const page = await readRgba(join(dir, `${key(media, errorCorrection)}.rgba`), result.raster!);
      const cell = labelCellDots(medium, 0);
      const image = crop(page, cell.xDots, cell.yDots, cell.widthDots, cell.heightDots);
      const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      expect(code?.data).toBe(label.url);
      expect(code?.chunks.map((chunk) => chunk.type)).toEqual(['alphanumeric']);
      expect(code?.version).toBe(encodeLabelQr(label.url, errorCorrection).version);

      // A whole number of dots per module, at least 3, and the raster shows exactly that:
      // a 7-module finder pattern 7k pixels wide with no grey edge pixels.
      const k = qrDotsPerModule(media, label.url, errorCorrection);
      expect(Number.isInteger(k)).toBe(true);
      expect(k).toBeGreaterThanOrEqual(3);
      for (const centre of [code!.location.topLeftFinderPattern, code!.location.topRightFinderPattern, code!.location.bottomLeftFinderPattern]) {
        expect(finderPattern(image, centre)).toEqual({ width: 7 * k, grey: 0 });
      }
    });

    it.each(cases)('$media, error correction $errorCorrection: the text is there, Japanese included, and the pictograms are red', async ({ media, errorCorrection }) => {
      const label = labels.get(key(media, errorCorrection))!;
      const result = opened.get(key(media, errorCorrection))!;
      const text = result.text!;
      expect(text).toContain('KNS-26-000123');
      expect(text).toContain('窒化ガリウム基板');
      expect(text).toContain('2026-03-14');
      expect(text).toContain(formatLabelId(label.labelId));

      const page = await readRgba(join(dir, `${key(media, errorCorrection)}.rgba`), result.raster!);
      const cell = labelCellDots(LABEL_MEDIA[media], 0);
      const image = crop(page, cell.xDots, cell.yDots, cell.widthDots, cell.heightDots);
      let red = 0;
      for (let i = 0; i < image.data.length; i += 4) if (image.data[i] > 180 && image.data[i + 1] < 80 && image.data[i + 2] < 100) red++;
      expect(red).toBeGreaterThan(500);
    });

    it('embeds the two fonts once each, as subsets: a label is a few kilobytes', async () => {
      const pdf = await readFile(join(dir, `${key('brother-62x29', 'M')}.pdf`));
      const source = pdf.toString('latin1');
      expect(source.match(/\/FontFile2 /g)).toHaveLength(2);
      expect(source).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansJP-Regular/);
      expect(source).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansJP-Bold/);
      expect(pdf.length).toBeLessThan(30_000);
    });
  });

  it('chooses the largest whole number of dots per module that fits, at least 3 on every medium', () => {
    const url = labelUrl(PUBLIC_URL, generateLabelId());
    const chosen = Object.fromEntries(LABEL_MEDIA_NAMES.map((media) => [media, [qrDotsPerModule(media, url, 'M'), qrDotsPerModule(media, url, 'Q')]]));
    // Version 3 (29 modules) at M, 4 (33) at Q; with the quiet zone 37 and 41 modules high.
    expect(chosen).toEqual({
      'brother-62x29': [9, 8], // bound by the height, 342 dots: 9 × 37 = 333, 8 × 41 = 328
      'brother-62': [9, 8], // bound by half the width, 366 dots: 36 + 9 × 33 = 333, 32 + 8 × 37 = 328
      'zebra-50x25': [5, 4], // bound by the height, 200 dots: 5 × 37 = 185, 4 × 41 = 164
      'a4-sheet': [10, 9], // 10 is the cap; at Q half the width (413 dots) allows 59 + 9 × 37 = 392
    });
  });

  it('truncates what does not fit with an ellipsis, and drops lines below the last one that fits', async () => {
    const file = join(dir, 'long.pdf');
    const lines = ['とても長い試料名'.repeat(10), 'line 2', 'line 3', 'line 4', 'line 5', 'line 6'];
    await renderToFile([sampleLabel({ title: 'KNS-26-000123-WITH-A-VERY-LONG-SUFFIX', lines })], 'brother-62x29', file);
    const [result] = await openPdfs([{ pdf: file, text: true }]);
    expect(result.text).toMatch(/KNS-26-000123-\S*…/);
    expect(result.text).toMatch(/とても長い試料名.*…/);
    expect(result.text).toContain('line 2');
    expect(result.text).not.toContain('line 6');
  });

});

describe('pdfFontPaths', () => {
  it('resolves the Noto Sans JP TrueType files', async () => {
    const { regular, bold } = pdfFontPaths();
    expect(regular).toMatch(/NotoSansJP_400Regular\.ttf$/);
    expect(bold).toMatch(/NotoSansJP_700Bold\.ttf$/);
    // TrueType files start with the version 0x00010000.
    for (const file of [regular, bold]) expect((await readFile(file)).subarray(0, 4)).toEqual(Buffer.from([0, 1, 0, 0]));
  });
});

describe('renderLabelZpl', () => {
  const label = sampleLabel({ title: 'A^XZ~JA_1' });

  it('is one ASCII-only label at the stock size, UTF-8 declared', () => {
    const zpl = renderLabelZpl(label, { dpi: 203 });
    expect(zpl).toMatch(/^\^XA\n\^CI28\n\^PW400\n\^LL200\n/);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
    expect(zpl).toMatch(/^[\x20-\x7e\n]*$/);
    expect(renderLabelZpl(label, { dpi: 300 })).toMatch(/\^PW591\n\^LL295\n/);
  });

  it.each([
    { dpi: 203 as const, errorCorrection: 'M' as const },
    { dpi: 203 as const, errorCorrection: 'Q' as const },
    { dpi: 300 as const, errorCorrection: 'M' as const },
    { dpi: 300 as const, errorCorrection: 'Q' as const },
  ])('encodes the URL with ^BQ at a whole-dot magnification, manual alphanumeric input ($dpi dpi, $errorCorrection)', ({ dpi, errorCorrection }) => {
    const zpl = renderLabelZpl(label, { dpi, errorCorrection });
    const placement = placeQr(labelCellDots(LABEL_MEDIA['zebra-50x25'], 0, dpi), encodeLabelQr(label.url, errorCorrection).size);
    expect(placement.dotsPerModule).toBeGreaterThanOrEqual(3);
    expect(zpl).toContain(`^FO${placement.xDots},${placement.yDots}^BQN,2,${placement.dotsPerModule}^FD${errorCorrection}M,A${label.url}^FS`);
  });

  it('sends text through ^FH with UTF-8 bytes escaped, so no field can inject a command', () => {
    const zpl = renderLabelZpl(label, { dpi: 203 });
    // "窒" is E7 AA 92 in UTF-8.
    expect(zpl).toContain('^FH^FD_E7_AA_92');
    // The title's ^ and ~ arrive as _5E and _7E, not as commands; _ itself as _5F.
    expect(zpl).toContain('^FH^FDA_5EXZ_7EJA_5F1^FS');
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
  });

  it('prints the hazard codes and the ID, and cuts long text with "..."', () => {
    const zpl = renderLabelZpl(sampleLabel({ labelId: label.labelId, title: 'X'.repeat(80), hazards: ['GHS06', 'GHS09'] }), { dpi: 203 });
    expect(zpl).toContain('^FDGHS06 GHS09^FS');
    expect(zpl).toContain(`^FD${formatLabelId(label.labelId)}^FS`);
    expect(zpl).toMatch(/\^FDX+\.\.\.\^FS/);
  });

  it('uses a TrueType font stored on the printer for the text when given one', () => {
    const zpl = renderLabelZpl(label, { dpi: 203, printerFont: 'E:NOTOSANSJP.TTF' });
    expect(zpl).toContain('^CWJ,E:NOTOSANSJP.TTF');
    expect(zpl).toMatch(/\^AJN,\d+,\d+\^FH\^FD_E7_AA_92/);
    expect(() => renderLabelZpl(label, { dpi: 203, printerFont: 'E:X.TTF^XZ' })).toThrow(RangeError);
  });

  it('refuses other resolutions and invalid labels', () => {
    expect(() => renderLabelZpl(label, { dpi: 600 as 300 })).toThrow(RangeError);
    expect(() => renderLabelZpl({ ...label, hazards: ['flammable'] }, { dpi: 203 })).toThrow(RangeError);
  });
});
