import { isLabelMediaName, LABEL_MEDIA, LABEL_MEDIA_NAMES, labelMedia, labelOriginMm, labelsPerPage, mmToPt, pageSizePt } from './label-media';

describe('label media', () => {
  it('sizes pages exactly to the stock in points (1 mm = 72/25.4 pt)', () => {
    expect(mmToPt(25.4)).toBe(72);
    const expected = { 'brother-62x29': [62, 29], 'brother-62': [62, 40], 'zebra-50x25': [50, 25] } as const;
    for (const [name, [width, height]] of Object.entries(expected)) {
      const [widthPt, heightPt] = pageSizePt(LABEL_MEDIA[name as keyof typeof expected]);
      expect(widthPt).toBeCloseTo((width * 72) / 25.4, 9);
      expect(heightPt).toBeCloseTo((height * 72) / 25.4, 9);
    }
    const [a4Width, a4Height] = pageSizePt(LABEL_MEDIA['a4-sheet']);
    expect(a4Width).toBeCloseTo(595.28, 2);
    expect(a4Height).toBeCloseTo(841.89, 2);
  });

  it('prints at the resolution of the printer it is made for', () => {
    expect(Object.fromEntries(LABEL_MEDIA_NAMES.map((name) => [name, LABEL_MEDIA[name].dpi]))).toEqual({
      'brother-62x29': 300,
      'brother-62': 300,
      'zebra-50x25': 203,
      'a4-sheet': 300,
    });
  });

  it('keeps every label of every medium on its page', () => {
    for (const name of LABEL_MEDIA_NAMES) {
      const media = LABEL_MEDIA[name];
      for (let slot = 0; slot < labelsPerPage(media); slot++) {
        const { xMm, yMm } = labelOriginMm(media, slot);
        expect(xMm).toBeGreaterThanOrEqual(0);
        expect(yMm).toBeGreaterThanOrEqual(0);
        expect(xMm + media.label.widthMm).toBeLessThanOrEqual(media.page.widthMm + 1e-9);
        expect(yMm + media.label.heightMm).toBeLessThanOrEqual(media.page.heightMm + 1e-9);
      }
    }
  });

  it('lays an A4 sheet out as 3 × 8 labels of 70 × 37 mm, row by row', () => {
    const sheet = LABEL_MEDIA['a4-sheet'];
    expect(labelsPerPage(sheet)).toBe(24);
    expect(labelOriginMm(sheet, 0)).toEqual({ xMm: 0, yMm: 0.5 });
    expect(labelOriginMm(sheet, 1)).toEqual({ xMm: 70, yMm: 0.5 });
    expect(labelOriginMm(sheet, 3)).toEqual({ xMm: 0, yMm: 37.5 });
    expect(labelOriginMm(sheet, 23)).toEqual({ xMm: 140, yMm: 259.5 });
  });

  it('knows its names and refuses others', () => {
    expect(isLabelMediaName('zebra-50x25')).toBe(true);
    expect(isLabelMediaName('toString')).toBe(false);
    expect(labelMedia('brother-62')).toBe(LABEL_MEDIA['brother-62']);
    expect(() => labelMedia('dymo' as never)).toThrow(RangeError);
  });
});
