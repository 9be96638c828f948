/**
 * What the quote, report and invoice PDFs are drawn from. Plain data, already resolved by the
 * services and billing modules (names, codes, amounts): the renderers never touch the database.
 * Amounts are integer yen; dates that are days are `YYYY-MM-DD` strings in the center's time
 * zone; instants are `Date`s shown in `issuer.timezone` with their offset.
 */
export type DocumentLanguage = 'ja' | 'en';

/** The center that issues the document. */
export interface DocumentIssuer {
  centerCode: string;
  nameJa: string;
  nameEn: string;
  address: string | null;
  contactEmail: string | null;
  /** Qualified-invoice issuer number (`T` + 13 digits), printed on invoices; null if the center has none. */
  registrationNumber: string | null;
  /** IANA time zone every instant is shown in. */
  timezone: string;
}

export interface DocumentRecipient {
  organizationName: string;
  billingAddress: string | null;
  projectCode: string;
  projectName: string;
  /** The person who asked (quotes and reports); null on invoices. */
  contactName: string | null;
}

/** Consumption tax of one rate over a whole document, rounded down once (qualified-invoice rule). */
export interface TaxSummary {
  /** Percent, e.g. 10 or 8. */
  rate: number;
  /** Sum of the line amounts at this rate. */
  base: number;
  tax: number;
}

export interface QuoteLine {
  description: string;
  /** As entered, e.g. `3` or `1.5`. */
  quantity: string;
  unit: string | null;
  unitPrice: number;
  /** Negative for a discount line. */
  amount: number;
  taxRate: number;
}

export interface QuoteDocument {
  language: DocumentLanguage;
  issuer: DocumentIssuer;
  recipient: DocumentRecipient;
  requestCode: string;
  /** `<request code>-Q<revision>`. */
  quoteNumber: string;
  issuedAt: Date;
  issuedBy: string;
  validUntil: string;
  lines: QuoteLine[];
  taxes: TaxSummary[];
  subtotal: number;
  tax: number;
  total: number;
  notes: string | null;
}

export interface ReportSample {
  code: string;
  name: string;
  /** What the sample's QR code carries (`<PUBLIC_URL>/S/<LABEL>`); null if it has no label. */
  labelUrl: string | null;
  receivedAt: Date | null;
  condition: string | null;
}

export interface ReportMethod {
  service: string;
  technique: string;
  equipment: string[];
}

/** One session of work on an instrument (an `assisted` reservation of the request). */
export interface ReportWorkSession {
  equipment: string;
  start: Date;
  end: Date;
  operator: string;
}

export interface ReportDataset {
  title: string;
  technique: string;
  version: number;
  measuredAt: Date;
  /** The measurement conditions (instrument parameters) as `name = value` pairs; none printed when empty or absent. */
  conditions?: { name: string; value: string }[];
  /** One line per file: its name and SHA-256. */
  files: { name: string; sha256: string; size: number }[];
  packageUrl: string;
}

export interface ReportDocument {
  language: DocumentLanguage;
  issuer: DocumentIssuer;
  recipient: DocumentRecipient;
  requestCode: string;
  /** `<request code>-R<revision>`. */
  revisionId: string;
  revision: number;
  sampleCount: number;
  sampleDescription: string;
  requestedAt: Date;
  deadline: string | null;
  samples: ReportSample[];
  methods: ReportMethod[];
  sessions: ReportWorkSession[];
  resultsSummary: string;
  datasets: ReportDataset[];
  deviations: string[];
  /** Set on an amended report: which revision it replaces and what changed (ISO/IEC 17025 §7.8.8). */
  amendment: { supersedes: string; reason: string } | null;
  /** Electronic signature (21 CFR 11 §11.50): printed name, date-time, meaning. */
  approval: { name: string; email: string; at: Date; meaning: 'approval' };
}

export interface InvoiceLine {
  date: string;
  description: string;
  quantity: string;
  unit: string | null;
  unitPrice: number | null;
  amount: number;
  taxRate: number;
}

export interface InvoiceDocument {
  language: DocumentLanguage;
  issuer: DocumentIssuer;
  recipient: Omit<DocumentRecipient, 'projectCode' | 'projectName' | 'contactName'>;
  kind: 'invoice' | 'credit_note';
  /** Null while a draft: the PDF then says DRAFT / 下書き and carries no number. */
  number: string | null;
  /** The invoice a credit note corrects. */
  creditFor: string | null;
  status: 'draft' | 'issued' | 'paid' | 'credited';
  periodStart: string;
  periodEnd: string;
  issuedAt: Date | null;
  dueDate: string | null;
  /** Line items grouped by project, in project code order. */
  groups: { projectCode: string; projectName: string; lines: InvoiceLine[]; subtotal: number }[];
  taxes: TaxSummary[];
  subtotal: number;
  tax: number;
  total: number;
  /** Fixed per document (the draft's build time or the issue time): same input, same bytes. */
  generatedAt: Date;
}
