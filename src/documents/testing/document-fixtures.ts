/**
 * Test support: realistic quotes, analysis reports and invoices for the PDF renderers and their
 * benchmark — Japanese names, two tax rates, a discount line, samples with label URLs, datasets
 * with real SHA-256 digests. Deterministic (no clock, no randomness): the same call gives the
 * same document. Not used by the application.
 */
import { createHash } from 'node:crypto';
import { taxByRate } from '../../common/money/consumption-tax';
import type {
  DocumentIssuer,
  DocumentLanguage,
  DocumentRecipient,
  InvoiceDocument,
  InvoiceLine,
  QuoteDocument,
  ReportDataset,
  ReportDocument,
  ReportSample,
} from '../document-types';

export const FIXTURE_REGISTRATION_NUMBER = 'T1234567890123';
export const FIXTURE_CENTER_JA = '神奈川プロセス開発センター';
export const FIXTURE_CENTER_EN = 'Kanagawa Process Development Center';
export const FIXTURE_ORGANIZATION = '東都大学 工学部 材料工学科';

export function fixtureIssuer(): DocumentIssuer {
  return {
    centerCode: 'KNS',
    nameJa: FIXTURE_CENTER_JA,
    nameEn: FIXTURE_CENTER_EN,
    address: '〒210-0821 神奈川県川崎市川崎区殿町3-25-10',
    contactEmail: 'billing@kanagawa-pdc.example.jp',
    registrationNumber: FIXTURE_REGISTRATION_NUMBER,
    timezone: 'Asia/Tokyo',
  };
}

function fixtureRecipient(): DocumentRecipient {
  return {
    organizationName: FIXTURE_ORGANIZATION,
    billingAddress: '〒152-8550 東京都目黒区大岡山2-12-1 経理課 気付',
    projectCode: 'TTU-GAN-2026',
    projectName: 'GaN パワーデバイスの信頼性評価',
    contactName: '佐藤 花子',
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `2026-11-28 10:15` in Tokyo is 01:15 UTC. */
const tokyo = (day: string, time: string) => new Date(`${day}T${time}:00+09:00`);

// ---------------------------------------------------------------- quote

/**
 * A quote of three lines at 10 % (one a discount): subtotal ¥3,015, tax ¥301 (rounded down
 * once over the whole quote, not per line), total ¥3,316.
 */
export function quoteFixture(language: DocumentLanguage = 'ja'): QuoteDocument {
  const lines = [
    { description: 'XRD-01 X線回折測定（アシスト） / X-ray diffraction, assisted', quantity: '2', unit: '時間', unitPrice: 1_500, amount: 3_000, taxRate: 10 },
    { description: 'データ解析・報告書作成 / Data analysis and report', quantity: '0.5', unit: '時間', unitPrice: 1_030, amount: 515, taxRate: 10 },
    { description: 'アカデミック割引 / Academic discount', quantity: '1', unit: null, unitPrice: -500, amount: -500, taxRate: 10 },
  ];
  return {
    language,
    issuer: fixtureIssuer(),
    recipient: fixtureRecipient(),
    requestCode: 'KNS-SR-26-0042',
    quoteNumber: 'KNS-SR-26-0042-Q1',
    issuedAt: tokyo('2026-11-28', '10:15'),
    issuedBy: '山田 太郎',
    validUntil: '2026-12-28',
    lines,
    ...taxByRate(lines),
    notes: '測定条件は試料受領後にご相談のうえ確定します。\n試料の返却送料は別途ご負担ください。',
  };
}

// ---------------------------------------------------------------- report

export const FIXTURE_REPORT_APPROVER = '鈴木 一郎';

export interface ReportFixtureOptions {
  samples?: number;
  datasets?: number;
  filesPerDataset?: number;
  /** Paragraphs of the results summary. */
  paragraphs?: number;
  amended?: boolean;
  deviations?: string[];
}

const PARAGRAPH =
  'GaN-on-Si エピウェハ 4 枚について、(0002) 面のロッキングカーブ半値幅を測定した。全試料で 300 arcsec 以下であり、' +
  '依頼時の仕様を満たす。The (0002) rocking-curve widths of all four epi-wafers are below 300 arcsec, within the specification ' +
  'stated in the request; wafer W-3 shows a slight tilt towards the flat, consistent with its growth run.';

/** A report of revision 2 that amends R1; with larger options (`longReportFixture`) it runs to about 20 pages. */
export function reportFixture(language: DocumentLanguage = 'ja', options: ReportFixtureOptions = {}): ReportDocument {
  const sampleCount = options.samples ?? 4;
  const samples: ReportSample[] = Array.from({ length: sampleCount }, (_, i) => ({
    code: `KNS-26-${String(123 + i).padStart(6, '0')}`,
    name: `GaN-on-Si エピウェハ W-${i + 1}（6 インチ）`,
    labelUrl: i === 2 ? null : `HTTPS://HUB.KANAGAWA-PDC.EXAMPLE.JP/S/7K3M9QX${String(20 + i).padStart(3, '0')}`,
    receivedAt: i === 3 ? null : tokyo('2026-11-02', `${String(9 + (i % 8)).padStart(2, '0')}:30`),
    condition: i === 1 ? '外周部に微小な欠けあり / minor edge chipping' : '良好 / good',
  }));
  const datasets: ReportDataset[] = Array.from({ length: options.datasets ?? 2 }, (_, d) => ({
    title: d % 2 === 0 ? `XRD ロッキングカーブ W-${d + 1}` : `SEM 断面観察 W-${d + 1}`,
    technique: d % 2 === 0 ? 'XRD' : 'SEM',
    version: 1 + (d % 3),
    measuredAt: tokyo('2026-11-10', `${String(10 + (d % 8)).padStart(2, '0')}:00`),
    files: Array.from({ length: options.filesPerDataset ?? 3 }, (_, f) => ({
      name: `W${d + 1}_scan_${String(f + 1).padStart(3, '0')}.${d % 2 === 0 ? 'xrdml' : 'tif'}`,
      sha256: sha256(`dataset ${d} file ${f}`),
      size: 1_234_567 * (f + 1),
    })),
    packageUrl: `https://hub.kanagawa-pdc.example.jp/datasets/KNS-DS-26-${String(310 + d).padStart(4, '0')}/package`,
  }));
  return {
    language,
    issuer: fixtureIssuer(),
    recipient: fixtureRecipient(),
    requestCode: 'KNS-SR-26-0042',
    revisionId: 'KNS-SR-26-0042-R2',
    revision: 2,
    sampleCount,
    sampleDescription: 'GaN-on-Si エピウェハ（6 インチ、Si(111) 基板）。窒素封入のウェハケースで持ち込み。',
    requestedAt: tokyo('2026-10-30', '14:05'),
    deadline: '2026-11-30',
    samples,
    methods: [
      { service: 'X線回折測定（受託）', technique: 'XRD ロッキングカーブ', equipment: ['XRD-01 (Rigaku SmartLab)'] },
      { service: '電子顕微鏡観察', technique: 'SEM 断面観察', equipment: ['SEM-JSM7800F', 'FIB-01'] },
    ],
    sessions: [
      { equipment: 'XRD-01', start: tokyo('2026-11-10', '09:00'), end: tokyo('2026-11-10', '12:30'), operator: '山田 太郎' },
      { equipment: 'SEM-JSM7800F', start: tokyo('2026-11-12', '13:00'), end: tokyo('2026-11-12', '17:15'), operator: 'Jane Whitfield' },
      { equipment: 'FIB-01', start: tokyo('2026-11-13', '22:00'), end: tokyo('2026-11-14', '02:00'), operator: '山田 太郎' },
    ],
    resultsSummary: Array.from({ length: options.paragraphs ?? 3 }, (_, i) => `${i + 1}. ${PARAGRAPH}`).join('\n\n'),
    datasets,
    deviations: options.deviations ?? ['試料 W-4 は未着のため測定対象外とした。 / Sample W-4 did not arrive and was not measured.'],
    amendment:
      options.amended === false
        ? null
        : { supersedes: 'KNS-SR-26-0042-R1', reason: '試料 W-3 の測定条件の誤記を訂正 / corrected the measurement conditions of W-3' },
    approval: { name: FIXTURE_REPORT_APPROVER, email: 'suzuki@kanagawa-pdc.example.jp', at: tokyo('2026-11-28', '14:30'), meaning: 'approval' },
  };
}

/** About 20 pages: many samples, datasets and a long summary. */
export function longReportFixture(language: DocumentLanguage = 'ja'): ReportDocument {
  return reportFixture(language, { samples: 110, datasets: 24, filesPerDataset: 12, paragraphs: 60 });
}

// ---------------------------------------------------------------- invoice

export interface InvoiceFixtureOptions {
  /** Line items in all, spread over the projects. */
  lines?: number;
  projects?: number;
  draft?: boolean;
  kind?: InvoiceDocument['kind'];
}

const SERVICES = [
  { description: 'XRD-01 X線回折測定（アシスト）', unit: '時間', unitPrice: 12_000, taxRate: 10 },
  { description: 'SEM-JSM7800F 観察 / SEM observation, self-operated', unit: '時間', unitPrice: 8_500, taxRate: 10 },
  { description: 'MOCVD-02 成膜 GaN-on-Si 6 インチ（材料費込み）', unit: '回', unitPrice: 150_000, taxRate: 10 },
  { description: 'クリーンルーム入室料 / cleanroom day pass', unit: '日', unitPrice: 3_000, taxRate: 10 },
  { description: '会議用弁当（技術相談会）', unit: '食', unitPrice: 1_080, taxRate: 8 },
];

/**
 * An invoice of November 2026 over several projects at 10 % and 8 %, its totals computed by
 * the billing rule (tax rounded down once per rate). `lines: 5000` makes the ~150-page case.
 */
export function invoiceFixture(language: DocumentLanguage = 'ja', options: InvoiceFixtureOptions = {}): InvoiceDocument {
  const lineCount = options.lines ?? 7;
  const projectCount = Math.min(options.projects ?? 2, lineCount);
  const credit = options.kind === 'credit_note';
  const groups: InvoiceDocument['groups'] = [];
  for (let p = 0; p < projectCount; p++) {
    const lines: InvoiceLine[] = [];
    const perProject = Math.ceil((lineCount - p) / projectCount);
    for (let i = p; i < lineCount; i += projectCount) {
      const service = SERVICES[i % SERVICES.length];
      const quantity = 1 + (i % 4) * 0.5;
      const amount = Math.round(quantity * service.unitPrice) * (credit ? -1 : 1);
      // Spread over the month in date order, as the billing module lists them.
      const day = 1 + Math.floor((lines.length * 30) / perProject);
      lines.push({
        date: `2026-11-${String(day).padStart(2, '0')}`,
        // Every seventh line has a long description that wraps in its cell.
        description: i % 7 === 6 ? `${service.description} — 依頼 KNS-SR-26-${String(i).padStart(4, '0')} 追加測定（条件変更に伴う再測定を含む）` : service.description,
        quantity: String(quantity),
        unit: service.unit,
        unitPrice: service.unitPrice,
        amount,
        taxRate: service.taxRate,
      });
    }
    groups.push({
      projectCode: `TTU-${String(p + 1).padStart(2, '0')}-2026`,
      projectName: p === 0 ? 'GaN パワーデバイスの信頼性評価' : `共同研究プロジェクト ${p + 1}`,
      lines,
      subtotal: lines.reduce((sum, line) => sum + line.amount, 0),
    });
  }
  const totals = taxByRate(groups.flatMap((group) => group.lines));
  const draft = options.draft === true;
  const recipient = fixtureRecipient();
  return {
    language,
    issuer: fixtureIssuer(),
    recipient: { organizationName: recipient.organizationName, billingAddress: recipient.billingAddress },
    kind: options.kind ?? 'invoice',
    number: draft ? null : credit ? 'KNS-CN-2026-0003' : 'KNS-INV-2026-0117',
    creditFor: credit ? 'KNS-INV-2026-0117' : null,
    status: draft ? 'draft' : 'issued',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    issuedAt: draft ? null : tokyo('2026-12-01', '09:00'),
    dueDate: draft ? null : '2026-12-31',
    groups,
    ...totals,
    generatedAt: draft ? tokyo('2026-11-30', '18:00') : tokyo('2026-12-01', '09:00'),
  };
}
