import type { TaxSummary } from '../../documents/document-types';

/** What a quote, an invoice or a credit note adds up to: tax per rate, subtotal, tax and total, all integer yen. */
export interface TaxTotals {
  taxes: TaxSummary[];
  subtotal: number;
  tax: number;
  total: number;
}

/**
 * Consumption tax as the qualified-invoice system requires it: once per tax rate over the whole
 * document, rounded down, never per line (three lines of ¥1,005 at 10% → ¥301, not 3 × ¥100).
 * Integer yen only. A negative base (a credit note) is rounded toward zero, so that a credit
 * note's tax is exactly the negative of the tax it reverses.
 */
export function taxByRate(lines: readonly { amount: number; taxRate: number }[]): TaxTotals {
  const bases = new Map<number, number>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amount)) throw new Error(`amount ${line.amount} is not a whole number of yen`);
    if (!Number.isInteger(line.taxRate) || line.taxRate < 0 || line.taxRate > 100) throw new Error(`tax rate ${line.taxRate} is not a whole percentage`);
    bases.set(line.taxRate, (bases.get(line.taxRate) ?? 0) + line.amount);
  }
  const taxes = [...bases]
    .sort(([a], [b]) => b - a)
    .map(([rate, base]) => ({ rate, base, tax: Math.sign(base) * Math.floor((Math.abs(base) * rate) / 100) }));
  const subtotal = taxes.reduce((sum, t) => sum + t.base, 0);
  const tax = taxes.reduce((sum, t) => sum + t.tax, 0);
  return { taxes, subtotal, tax, total: subtotal + tax };
}

/**
 * `quantity × unitPrice` in whole yen, rounded half up, with the quantity in hundredths
 * (1.5 hours) and integer arithmetic only, so no binary fraction ever reaches an amount.
 */
export function lineAmount(quantity: number, unitPrice: number): number {
  const hundredths = Math.round(quantity * 100);
  if (Math.abs(hundredths / 100 - quantity) > 1e-9) throw new Error(`quantity ${quantity} has more than two decimals`);
  const cents = hundredths * unitPrice;
  if (!Number.isSafeInteger(cents)) throw new Error(`${quantity} × ${unitPrice} is too large`);
  return Math.floor((cents + 50) / 100);
}

/** `¥1,234` (both languages print the yen sign; Japanese invoices conventionally do too). */
export function formatYen(amount: number): string {
  return `${amount < 0 ? '-' : ''}¥${Math.abs(amount).toLocaleString('en-US')}`;
}
