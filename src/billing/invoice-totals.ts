import { taxByRate, TaxTotals } from '../common/money/consumption-tax';

/**
 * An invoice's totals from the sum of its charges at each tax rate (what `GROUP BY tax_rate`
 * gives, bigint sums arriving as text). Tax is computed once per rate over the whole document
 * and rounded down (`taxByRate`, the qualified-invoice rule), never per line.
 */
export function invoiceTotals(bases: readonly { rate: number; base: number | string }[]): TaxTotals {
  return taxByRate(
    bases.map(({ rate, base }) => {
      const amount = Number(base);
      if (!Number.isSafeInteger(amount)) throw new RangeError(`the charges at ${rate}% sum to ${base}, beyond exact integer arithmetic`);
      return { amount, taxRate: Number(rate) };
    }),
  );
}

/** The negative of an amount, without a `-0` (which JSON and the PDF would print oddly). */
export const negate = (value: number): number => (value === 0 ? 0 : -value);

/** A credit note's totals: the exact negative of the invoice's, rate by rate, never recomputed. */
export function negateTotals(totals: TaxTotals): TaxTotals {
  const neg = negate;
  return {
    taxes: totals.taxes.map((t) => ({ rate: t.rate, base: neg(t.base), tax: neg(t.tax) })),
    subtotal: neg(totals.subtotal),
    tax: neg(totals.tax),
    total: neg(totals.total),
  };
}
