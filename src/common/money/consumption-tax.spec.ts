import { formatYen, lineAmount, taxByRate } from './consumption-tax';

describe('taxByRate', () => {
  it('rounds the tax down once per rate, not per line (qualified-invoice rule)', () => {
    const lines = [1005, 1005, 1005].map((amount) => ({ amount, taxRate: 10 }));
    // Per line: floor(100.5) × 3 = 300. Per rate over the document: floor(301.5) = 301.
    expect(taxByRate(lines)).toEqual({ taxes: [{ rate: 10, base: 3015, tax: 301 }], subtotal: 3015, tax: 301, total: 3316 });
  });

  it('keeps each rate apart, highest first', () => {
    const result = taxByRate([
      { amount: 999, taxRate: 8 },
      { amount: 1001, taxRate: 10 },
      { amount: 1, taxRate: 8 },
    ]);
    expect(result.taxes).toEqual([
      { rate: 10, base: 1001, tax: 100 },
      { rate: 8, base: 1000, tax: 80 },
    ]);
    expect(result.total).toBe(2181);
  });

  it('mirrors a credit note exactly: the negative base rounds toward zero', () => {
    const invoice = taxByRate([{ amount: 3015, taxRate: 10 }]);
    const credit = taxByRate([{ amount: -3015, taxRate: 10 }]);
    expect(credit.tax).toBe(-invoice.tax);
    expect(credit.total).toBe(-invoice.total);
  });

  it('refuses fractions of a yen and odd rates', () => {
    expect(() => taxByRate([{ amount: 10.5, taxRate: 10 }])).toThrow(/whole number/);
    expect(() => taxByRate([{ amount: 10, taxRate: 7.5 }])).toThrow(/whole percentage/);
  });

  it('is empty for no lines', () => {
    expect(taxByRate([])).toEqual({ taxes: [], subtotal: 0, tax: 0, total: 0 });
  });
});

describe('lineAmount', () => {
  it('multiplies in integer hundredths and rounds half up', () => {
    expect(lineAmount(3, 1005)).toBe(3015);
    expect(lineAmount(1.5, 12_345)).toBe(18_518); // 18,517.5 → 18,518
    expect(lineAmount(0.1, 3)).toBe(0); // 0.3 → 0
    expect(lineAmount(0.29, 10)).toBe(3); // 0.29 × 100 is 28.999… in binary; hundredths fix that
  });

  it('refuses a third decimal', () => {
    expect(() => lineAmount(1.005, 100)).toThrow(/two decimals/);
  });
});

describe('formatYen', () => {
  it('groups thousands and signs credits', () => {
    expect(formatYen(3316)).toBe('¥3,316');
    expect(formatYen(-1200000)).toBe('-¥1,200,000');
  });
});
