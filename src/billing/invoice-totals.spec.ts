import { invoiceTotals, negateTotals } from './invoice-totals';

describe('invoice totals', () => {
  it('taxes the sum per rate once and rounds down: three charges of ¥1,005 at 10 % → ¥301 tax, ¥3,316 total', () => {
    // The database sums the three charges (bigint, as text); per-line rounding would give 3 × ¥100.
    expect(invoiceTotals([{ rate: 10, base: '3015' }])).toEqual({ taxes: [{ rate: 10, base: 3015, tax: 301 }], subtotal: 3015, tax: 301, total: 3316 });
    expect([1005, 1005, 1005].reduce((sum, amount) => sum + Math.floor(amount / 10), 0)).toBe(300);
  });

  it('keeps the standard and the reduced rate apart, higher rate first', () => {
    expect(invoiceTotals([{ rate: 8, base: '1000' }, { rate: 10, base: '2010' }])).toEqual({
      taxes: [
        { rate: 10, base: 2010, tax: 201 },
        { rate: 8, base: 1000, tax: 80 },
      ],
      subtotal: 3010,
      tax: 281,
      total: 3291,
    });
  });

  it('nets adjustments before taxing: ¥10,000 waived down by ¥4,995 is taxed on ¥5,005', () => {
    expect(invoiceTotals([{ rate: 10, base: 5005 }])).toMatchObject({ tax: 500, total: 5505 });
  });

  it('makes a credit note the exact negative of its invoice', () => {
    const invoice = invoiceTotals([{ rate: 10, base: '3015' }]);
    expect(negateTotals(invoice)).toEqual({ taxes: [{ rate: 10, base: -3015, tax: -301 }], subtotal: -3015, tax: -301, total: -3316 });
    expect(negateTotals(invoiceTotals([]))).toEqual({ taxes: [], subtotal: 0, tax: 0, total: 0 });
  });

  it('refuses sums beyond exact integer arithmetic instead of rounding them', () => {
    expect(() => invoiceTotals([{ rate: 10, base: '90071992547409930' }])).toThrow(RangeError);
  });
});
