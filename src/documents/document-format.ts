/**
 * How the quote, report and invoice PDFs print days, instants, money and centers, per the
 * document's language, and the checks of their input that would otherwise fail half-way
 * through drawing (an unknown time zone, an invalid date, a fraction of a yen).
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { formatYen, TaxTotals } from '../common/money/consumption-tax';
import type { DocumentIssuer, DocumentLanguage } from './document-types';
import { clean } from './pdf-text-layout';

/** The amounts of a quote or an invoice, as the billing module computed them. */
export type DocumentTotals = TaxTotals;

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Units the services and billing store (a catalogue unit, or `h` for time), as printed. Others print as given. */
const UNIT_NAMES: Record<DocumentLanguage, Record<string, string>> = {
  ja: { sample: '検体', hour: '時間', h: '時間', measurement: '測定', min: '分' },
  en: { sample: 'sample', hour: 'h', h: 'h', measurement: 'measurement', min: 'min' },
};

export class DocumentFormat {
  constructor(
    readonly language: DocumentLanguage,
    readonly timezone: string,
  ) {}

  /** `¥1,234`, `-¥1,234` for a credit: the amount as given, never recomputed. */
  yen(amount: number): string {
    return formatYen(amount);
  }

  /** A day as the services store it (`2026-11-28`): `2026年11月28日` / `28 Nov 2026`. */
  day(isoDay: string): string {
    const [, year, month, day] = DAY.exec(isoDay) ?? [];
    if (!year) return clean(isoDay);
    return this.language === 'ja' ? `${year}年${Number(month)}月${Number(day)}日` : `${Number(day)} ${MONTHS_EN[Number(month) - 1]} ${year}`;
  }

  /** The day an instant falls on in the issuer's time zone. */
  dayOf(instant: Date): string {
    return this.day(format(new TZDate(instant.getTime(), this.timezone), 'yyyy-MM-dd'));
  }

  /** `2026年11月28日 10:15 +09:00` / `28 Nov 2026 10:15 +09:00`: local time with its offset, so it is unambiguous. */
  instant(instant: Date): string {
    return `${this.dayOf(instant)} ${format(new TZDate(instant.getTime(), this.timezone), 'HH:mm xxx')}`;
  }

  /** Only the clock time (`10:15`), for the end of a span that starts the same day. */
  clock(instant: Date): string {
    return format(new TZDate(instant.getTime(), this.timezone), 'HH:mm');
  }

  unit(unit: string | null): string {
    return unit ? (UNIT_NAMES[this.language][unit] ?? clean(unit)) : '';
  }

  rate(percent: number): string {
    return `${percent}%`;
  }

  /** `12.3 MB`: decimal units, as file browsers show them. */
  bytes(size: number): string {
    if (size < 1000) return `${size} B`;
    const units = ['kB', 'MB', 'GB', 'TB'];
    let value = size / 1000;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
  }

  /** The center's two names, the document's language first. */
  centerNames(issuer: DocumentIssuer): [string, string] {
    const ja = clean(issuer.nameJa);
    const en = clean(issuer.nameEn);
    return this.language === 'ja' ? [ja, en] : [en, ja];
  }
}

// ---------------------------------------------------------------- input checks

/** Collects what is wrong with a document's input under the name of the document. */
export class InputCheck {
  constructor(private readonly documentName: string) {}

  fail(path: string, problem: string): never {
    throw new TypeError(`${this.documentName}: ${path} ${problem}`);
  }

  object(value: unknown, path: string): void {
    if (typeof value !== 'object' || value === null) this.fail(path, 'is required');
  }

  array(value: unknown, path: string): void {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
  }

  language(value: unknown): void {
    if (value !== 'ja' && value !== 'en') this.fail('language', `must be "ja" or "en", got "${String(value)}"`);
  }

  timezone(value: unknown, path: string): void {
    let known = typeof value === 'string' && value !== '';
    try {
      if (known) new Intl.DateTimeFormat('en-US', { timeZone: value as string });
    } catch {
      known = false; // Intl throws a RangeError for a zone it does not know
    }
    if (!known) throw new RangeError(`${this.documentName}: unknown time zone "${String(value)}" in ${path}`);
  }

  date(value: unknown, path: string): void {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) this.fail(path, 'is not a valid date');
  }

  day(value: unknown, path: string): void {
    if (typeof value !== 'string' || !DAY.test(value)) this.fail(path, `must be a day as YYYY-MM-DD, got "${String(value)}"`);
  }

  yen(value: unknown, path: string): void {
    if (!Number.isSafeInteger(value)) this.fail(path, `must be a whole number of yen, got ${String(value)}`);
  }

  /** What every document has: a language, the issuer (whose time zone every instant is shown in), a recipient. */
  common(document: { language: DocumentLanguage; issuer: DocumentIssuer; recipient: object }): void {
    this.object(document, `the ${this.documentName}`);
    this.language(document.language);
    this.object(document.issuer, 'issuer');
    this.timezone(document.issuer.timezone, 'issuer.timezone');
    this.object(document.recipient, 'recipient');
  }

  /** The tax of each rate and the totals of a quote or an invoice: whole yen, printed as given. */
  totals(document: DocumentTotals): void {
    this.array(document.taxes, 'taxes');
    document.taxes.forEach((tax, index) => {
      if (!Number.isFinite(tax?.rate)) this.fail(`taxes[${index}].rate`, 'must be a number');
      this.yen(tax.base, `taxes[${index}].base`);
      this.yen(tax.tax, `taxes[${index}].tax`);
    });
    for (const key of ['subtotal', 'tax', 'total'] as const) this.yen(document[key], key);
  }
}
