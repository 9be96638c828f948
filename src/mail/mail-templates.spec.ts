import Mustache from 'mustache';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIL_TEMPLATES, MailTemplateName, SendMailJob } from '../infra/queue/queue-name';
import { MAIL_TEMPLATE_DIR, mailView, renderMail } from './mail-templates';

const PUBLIC_URL = 'https://hub.example.jp';

/** Sample data for every template, every value filled in; a variant per section a template has. */
const SAMPLES: Record<MailTemplateName, SendMailJob['data'][]> = {
  'account-created': [{ displayName: '田中 花子' }],
  'reservation-status': [
    { displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', status: 'rejected', statusJa: '却下', reason: 'Maintenance window', reservationId: 'r-1' },
    { displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', status: 'confirmed', statusJa: '確定', reason: '', reservationId: 'r-2' },
  ],
  'waitlist-offer': [{ displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', expiresAt: '2026-03-31 18:00 Asia/Tokyo', entryId: 'wl-1' }],
  'equipment-problem': [
    { centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', equipment: 'HAZ-01 Plasma etcher', equipmentJa: 'HAZ-01 プラズマエッチャー', equipmentId: 'eq-1', problemId: 'pr-1', urgency: 'high', safetyHazard: 'yes', description: 'Gas smell' },
    { centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', equipment: 'SEM-02 SEM', equipmentJa: 'SEM-02 走査電子顕微鏡', equipmentId: 'eq-2', problemId: 'pr-2', urgency: 'low', safetyHazard: 'no', description: 'Display flickers' },
  ],
  'retention-due': [{ centerCode: 'KYU', centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', count: '2', onOrBefore: '2026-03-31', list: '- KYU-S-0001\n- KYU-S-0002', centerId: 'c-1' }],
  'service-request-status': [
    { code: 'KNS-SR-26-0001', status: 'rejected', statusJa: '却下', reason: 'Samples out of scope', requestId: 'sr-1', centerJa: '関西ナノ解析センター', center: 'Kansai Nano Analysis Center' },
    { code: 'KNS-SR-26-0001', status: 'in progress', statusJa: '分析中', reason: '', requestId: 'sr-1', centerJa: '関西ナノ解析センター', center: 'Kansai Nano Analysis Center' },
  ],
  'service-request-for-center': [
    { code: 'KNS-SR-26-0002', status: 'submitted', statusJa: '受付', reason: '', requestId: 'sr-2', organization: 'Alpha Devices K.K.', centerJa: '関西ナノ解析センター', center: 'Kansai Nano Analysis Center' },
    { code: 'KNS-SR-26-0002', status: 'cancelled', statusJa: '取消', reason: 'Budget withdrawn', requestId: 'sr-2', organization: 'Alpha Devices K.K.', centerJa: '関西ナノ解析センター', center: 'Kansai Nano Analysis Center' },
  ],
  'quote-issued': [{ code: 'KNS-SR-26-0001', quoteNumber: 'KNS-Q-26-0001', total: '¥3,316', validUntil: '2026-04-30', requestId: 'sr-1' }],
  'report-ready': [
    { code: 'KNS-SR-26-0001', revisionId: 'rev-2', requestId: 'sr-1', amended: 'yes' },
    { code: 'KNS-SR-26-0001', revisionId: 'rev-1', requestId: 'sr-1', amended: 'no' },
  ],
  'invoice-issued': [
    { number: 'KNS-INV-26-0007', kind: 'invoice', total: '¥110,000', dueDate: '2026-05-31', invoiceId: 'inv-7', organization: '株式会社サンプル' },
    { number: 'KNS-CN-26-0001', kind: 'credit_note', total: '-¥11,000', dueDate: '2026-05-31', invoiceId: 'inv-8', organization: '株式会社サンプル' },
  ],
};

const samples = MAIL_TEMPLATES.flatMap((template) => SAMPLES[template].map((data, i) => [`${template} #${i + 1}`, { to: 'client@example.jp', template, data }] as const));

type Token = [string, string, number, number, Token[]?];

/**
 * The names a template uses with this view: the variables of the parts it renders (each needs
 * a value) and the sections (each needs a flag in the view).
 */
function namesIn(tokens: Token[], view: Record<string, unknown>, found = { variables: new Set<string>(), sections: new Set<string>() }) {
  for (const [type, name, , , children] of tokens) {
    if (type === 'name' || type === '&') found.variables.add(name);
    if (type === '#' || type === '^') found.sections.add(name);
    if (children && Boolean(view[name]) === (type === '#')) namesIn(children, view, found);
  }
  return found;
}

const templateSource = (name: string) => readFileSync(join(MAIL_TEMPLATE_DIR, `${name}.mustache`), 'utf8');

describe('mail templates', () => {
  it.each(MAIL_TEMPLATES)('%s has a file starting with a subject line and a blank line', (name) => {
    const file = join(MAIL_TEMPLATE_DIR, `${name}.mustache`);
    expect(existsSync(file)).toBe(true);
    expect(templateSource(name)).toMatch(/^Subject: [^\n]+\n\n\S/);
  });

  it.each(samples)('%s renders every placeholder with a value and ends with a link', (_, job) => {
    const view = mailView(job, PUBLIC_URL);
    const { variables, sections } = namesIn(Mustache.parse(templateSource(job.template)) as Token[], view);
    for (const name of variables) expect({ name, value: typeof view[name] === 'string' && view[name] !== '' }).toEqual({ name, value: true });
    for (const name of sections) expect({ name, known: name in view }).toEqual({ name, known: true });

    const mail = renderMail(job, PUBLIC_URL);
    for (const part of [mail.subject, mail.text]) {
      expect(part).not.toMatch(/\{\{|\}\}|undefined/);
    }
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject.length).toBeGreaterThan(10);
    expect(mail.text.split('\n').at(-1)).toMatch(new RegExp(`^(POST )?${PUBLIC_URL}/api/v1/|^Sign in at ${PUBLIC_URL}/docs`));
  });

  it('does not escape characters as HTML would', () => {
    const mail = renderMail({ to: 'ob@example.jp', template: 'account-created', data: { displayName: `O'Brien & <Sons> "R&D"` } }, PUBLIC_URL);
    expect(mail.text).toContain(`Dear O'Brien & <Sons> "R&D",`);
  });

  it.each(samples)('%s: a line break in a value cannot add a header to the subject', (_, job) => {
    const data = Object.fromEntries(Object.keys(job.data).map((key) => [key, `x\r\nBcc: evil@example.com\n\rX-Evil: 1\u2028y`]));
    const mail = renderMail({ ...job, data }, PUBLIC_URL);
    expect(mail.subject).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(mail.subject.split(/\r\n|\r|\n/)).toHaveLength(1);
  });

  it('fails loudly on a template without a file', () => {
    expect(() => renderMail({ to: 'a@example.jp', template: 'no-such-template' as MailTemplateName, data: {} }, PUBLIC_URL)).toThrow(/Mail template "no-such-template" cannot be read/);
  });

  it('reads each template file once', () => {
    jest.isolateModules(() => {
      const fs = require('node:fs') as typeof import('node:fs');
      const read = jest.spyOn(fs, 'readFileSync');
      const fresh = require('./mail-templates') as typeof import('./mail-templates');
      const job: SendMailJob = { to: 'a@example.jp', template: 'quote-issued', data: SAMPLES['quote-issued'][0] };
      fresh.renderMail(job, PUBLIC_URL);
      fresh.renderMail(job, PUBLIC_URL);
      expect(read.mock.calls.filter(([file]) => String(file).endsWith('quote-issued.mustache'))).toHaveLength(1);
      read.mockRestore();
    });
  });
});

describe('the new notifications', () => {
  const render = (template: MailTemplateName, i = 0) => renderMail({ to: 'client@example.jp', template, data: SAMPLES[template][i] }, PUBLIC_URL);

  it('service-request-status tells the new status, with the reason when there is one', () => {
    const withReason = render('service-request-status', 0);
    expect(withReason.subject).toBe('[KNS-SR-26-0001] 分析依頼 却下 / Analysis request rejected');
    expect(withReason.text).toContain('分析依頼 KNS-SR-26-0001 は「却下」になりました。');
    expect(withReason.text).toContain('理由: Samples out of scope');
    expect(withReason.text).toContain('関西ナノ解析センター');
    expect(withReason.text).toContain('Your analysis request KNS-SR-26-0001 is now rejected.');
    expect(withReason.text).toContain('Reason: Samples out of scope');
    expect(withReason.text).toContain('Kansai Nano Analysis Center');
    expect(withReason.text.indexOf('分析依頼')).toBeLessThan(withReason.text.indexOf('Your analysis request'));
    expect(withReason.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/service-requests/sr-1`);

    const without = render('service-request-status', 1);
    expect(without.text).toContain('Your analysis request KNS-SR-26-0001 is now in progress.');
    expect(without.text).not.toMatch(/理由|Reason/);
    expect(without.text).not.toMatch(/\n\n\n/);
  });

  it('service-request-for-center tells the center what the client did, naming the client', () => {
    const filed = render('service-request-for-center', 0);
    expect(filed.subject).toBe('[KNS-SR-26-0002] Alpha Devices K.K.: 分析依頼 受付 / Analysis request submitted');
    expect(filed.text).toContain('関西ナノ解析センター 御中');
    expect(filed.text).toContain('The analysis request KNS-SR-26-0002 of Alpha Devices K.K. is now submitted.');
    expect(filed.text).not.toMatch(/理由|Reason/);
    expect(filed.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/service-requests/sr-2`);
    expect(render('service-request-for-center', 1).text).toContain('Reason: Budget withdrawn');
  });

  it('quote-issued links the quote and says how and until when to accept it', () => {
    const mail = render('quote-issued');
    expect(mail.subject).toContain('KNS-Q-26-0001');
    expect(mail.text).toContain('お見積書 KNS-Q-26-0001');
    expect(mail.text).toContain('合計金額: ¥3,316');
    expect(mail.text).toContain(`2026-04-30 までに POST ${PUBLIC_URL}/api/v1/service-requests/sr-1/accept で承諾してください`);
    expect(mail.text).toContain('Quote KNS-Q-26-0001 for your analysis request KNS-SR-26-0001 has been issued. Total: ¥3,316');
    expect(mail.text).toContain(`To accept it, send POST ${PUBLIC_URL}/api/v1/service-requests/sr-1/accept before 2026-04-30.`);
    expect(mail.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/service-requests/sr-1/quote.pdf`);
  });

  it('report-ready links the report and says when it replaces the previous revision', () => {
    const amended = render('report-ready', 0);
    expect(amended.subject).toBe('[KNS-SR-26-0001] 訂正版の報告書ができました / Amended report ready');
    expect(amended.text).toContain('分析依頼 KNS-SR-26-0001 の訂正版の報告書（版 rev-2）ができました。');
    expect(amended.text).toContain('この版は前の版に代わるものです。');
    expect(amended.text).toContain('The amended report for your analysis request KNS-SR-26-0001 (revision rev-2) is ready.');
    expect(amended.text).toContain('It replaces the previous revision.');
    expect(amended.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/service-requests/sr-1/report.pdf`);

    const first = render('report-ready', 1);
    expect(first.subject).toBe('[KNS-SR-26-0001] 報告書ができました / Report ready');
    expect(first.text).toContain('The report for your analysis request KNS-SR-26-0001 (revision rev-1) is ready.');
    expect(first.text).not.toMatch(/代わる|replaces/);
    expect(first.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/service-requests/sr-1/report.pdf`);
  });

  it('invoice-issued names an invoice or a credit note and links its PDF', () => {
    const invoice = render('invoice-issued', 0);
    expect(invoice.subject).toBe('請求書 KNS-INV-26-0007 / Invoice KNS-INV-26-0007');
    expect(invoice.text).toContain('株式会社サンプル 御中');
    expect(invoice.text).toContain('請求書 KNS-INV-26-0007 を発行しました。ご請求金額: ¥110,000');
    expect(invoice.text).toContain('お支払期限: 2026-05-31');
    expect(invoice.text).toContain('Invoice KNS-INV-26-0007 has been issued to you. Amount due: ¥110,000');
    expect(invoice.text).toContain('Payment is due by 2026-05-31.');
    expect(invoice.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/invoices/inv-7.pdf`);

    const credit = render('invoice-issued', 1);
    expect(credit.subject).toBe('クレジットノート KNS-CN-26-0001 / Credit note KNS-CN-26-0001');
    expect(credit.text).toContain('クレジットノート KNS-CN-26-0001 を発行しました。金額: -¥11,000');
    expect(credit.text).toContain('Credit note KNS-CN-26-0001 has been issued to you. Amount: -¥11,000');
    expect(credit.text).not.toMatch(/請求書|Invoice|due/);
    expect(credit.text.split('\n').at(-1)).toBe(`${PUBLIC_URL}/api/v1/invoices/inv-8.pdf`);
  });
});

/** What the texts were when they were built in TypeScript; moving them to files changed nothing. */
const BEFORE: { name: string; job: SendMailJob; subject: string; text: string[] }[] = [
  {
    name: 'account-created',
    job: { to: 'tanaka@example.jp', template: 'account-created', data: { displayName: '田中 花子' } },
    subject: 'Foundry Hub アカウント作成のお知らせ / Your Foundry Hub account',
    text: [
      '田中 花子 様',
      '',
      'Foundry Hub のアカウントが作成されました。',
      'ログイン: https://hub.example.jp/docs （メールアドレス: tanaka@example.jp）',
      'パスワードは管理者からお知らせします。',
      '',
      'Dear 田中 花子,',
      '',
      'A Foundry Hub account has been created for you.',
      'Sign in at https://hub.example.jp/docs with tanaka@example.jp; your administrator will tell you the password.',
    ],
  },
  {
    name: 'equipment-problem, safety hazard',
    job: { to: 'safety@kyu.example.jp', template: 'equipment-problem', data: { centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', equipment: 'HAZ-01 Plasma etcher', equipmentJa: 'HAZ-01 プラズマエッチャー', equipmentId: 'eq-1', problemId: 'pr-1', urgency: 'high', safetyHazard: 'yes', description: 'Gas smell near the exhaust line' } },
    subject: '[HAZ-01 Plasma etcher] 安全上の危険を伴う不具合の報告 / Safety hazard reported',
    text: [
      '九州プロセス革新センター 御中',
      '',
      'HAZ-01 プラズマエッチャー について不具合が報告されました（安全上の危険あり）。',
      '緊急度: 高',
      '',
      'Gas smell near the exhaust line',
      '',
      'Dear Kyushu Process Innovation Center team,',
      '',
      'A problem was reported on HAZ-01 Plasma etcher and marked as a safety hazard.',
      'Urgency: high',
      '',
      'https://hub.example.jp/api/v1/equipment/eq-1/problems',
    ],
  },
  {
    name: 'equipment-problem, no hazard',
    job: { to: 'staff@kyu.example.jp', template: 'equipment-problem', data: { centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', equipment: 'SEM-02 Scanning electron microscope', equipmentJa: 'SEM-02 走査電子顕微鏡', equipmentId: 'eq-2', problemId: 'pr-2', urgency: 'normal', safetyHazard: 'no', description: 'Display flickers' } },
    subject: '[SEM-02 Scanning electron microscope] 不具合の報告 / Problem reported',
    text: [
      '九州プロセス革新センター 御中',
      '',
      'SEM-02 走査電子顕微鏡 について不具合が報告されました。',
      '緊急度: 中',
      '',
      'Display flickers',
      '',
      'Dear Kyushu Process Innovation Center team,',
      '',
      'A problem was reported on SEM-02 Scanning electron microscope.',
      'Urgency: normal',
      '',
      'https://hub.example.jp/api/v1/equipment/eq-2/problems',
    ],
  },
  {
    name: 'equipment-problem, unknown urgency',
    job: { to: 'staff@kyu.example.jp', template: 'equipment-problem', data: { centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', equipment: 'SEM-02 Scanning electron microscope', equipmentJa: 'SEM-02 走査電子顕微鏡', equipmentId: 'eq-2', problemId: 'pr-3', urgency: 'critical', safetyHazard: 'no', description: 'Stage stuck\nat home position' } },
    subject: '[SEM-02 Scanning electron microscope] 不具合の報告 / Problem reported',
    text: [
      '九州プロセス革新センター 御中',
      '',
      'SEM-02 走査電子顕微鏡 について不具合が報告されました。',
      '緊急度: critical',
      '',
      'Stage stuck',
      'at home position',
      '',
      'Dear Kyushu Process Innovation Center team,',
      '',
      'A problem was reported on SEM-02 Scanning electron microscope.',
      'Urgency: critical',
      '',
      'https://hub.example.jp/api/v1/equipment/eq-2/problems',
    ],
  },
  {
    name: 'waitlist-offer',
    job: { to: 'sato@example.jp', template: 'waitlist-offer', data: { displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', expiresAt: '2026-03-31 18:00 Asia/Tokyo', entryId: 'wl-1' } },
    subject: '[LITHO-1 Mask aligner] キャンセル待ちの枠が空きました / A slot you waited for is free',
    text: [
      '佐藤 一郎 様',
      '',
      'LITHO-1 Mask aligner の 2026-04-01 09:00–12:00 Asia/Tokyo が空きました。2026-03-31 18:00 Asia/Tokyo までに予約を確定してください。',
      '',
      'LITHO-1 Mask aligner is free for you from 2026-04-01 09:00–12:00 Asia/Tokyo. Accept before 2026-03-31 18:00 Asia/Tokyo:',
      'POST https://hub.example.jp/api/v1/waitlist/wl-1/accept',
    ],
  },
  {
    name: 'retention-due',
    job: { to: 'lab@kyu.example.jp', template: 'retention-due', data: { centerCode: 'KYU', centerJa: '九州プロセス革新センター', center: 'Kyushu Process Innovation Center', count: '2', onOrBefore: '2026-03-31', list: '- KYU-S-0001 Wafer A (2026-01-31)\n- KYU-S-0002 Wafer B (2026-02-28)', centerId: 'c-1' } },
    subject: '[KYU] 保管期限を過ぎた試料 2 件 / 2 samples due for disposal',
    text: [
      '九州プロセス革新センター 御中',
      '',
      '保管期限（2026-03-31 まで）を過ぎた試料が 2 件あります。返却または廃棄をご検討ください。',
      '',
      '- KYU-S-0001 Wafer A (2026-01-31)',
      '- KYU-S-0002 Wafer B (2026-02-28)',
      '',
      'Dear Kyushu Process Innovation Center team,',
      '',
      '2 samples have reached their retention date (2026-03-31). Return or dispose of them.',
      'https://hub.example.jp/api/v1/samples/due-for-disposal?centerId=c-1',
    ],
  },
  {
    name: 'reservation-status, with reason',
    job: { to: 'sato@example.jp', template: 'reservation-status', data: { displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', status: 'rejected', statusJa: '却下', reason: 'Maintenance window', reservationId: 'r-1' } },
    subject: '[LITHO-1 Mask aligner] 予約 却下 / Reservation rejected',
    text: [
      '佐藤 一郎 様',
      '',
      'LITHO-1 Mask aligner の予約（2026-04-01 09:00–12:00 Asia/Tokyo）は「却下」になりました。',
      '理由: Maintenance window',
      '',
      'Your reservation of LITHO-1 Mask aligner (2026-04-01 09:00–12:00 Asia/Tokyo) is now rejected.',
      'Reason: Maintenance window',
      'https://hub.example.jp/api/v1/reservations/r-1',
    ],
  },
  {
    name: 'reservation-status, empty reason',
    job: { to: 'sato@example.jp', template: 'reservation-status', data: { displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', status: 'confirmed', statusJa: '確定', reason: '', reservationId: 'r-2' } },
    subject: '[LITHO-1 Mask aligner] 予約 確定 / Reservation confirmed',
    text: [
      '佐藤 一郎 様',
      '',
      'LITHO-1 Mask aligner の予約（2026-04-01 09:00–12:00 Asia/Tokyo）は「確定」になりました。',
      '',
      'Your reservation of LITHO-1 Mask aligner (2026-04-01 09:00–12:00 Asia/Tokyo) is now confirmed.',
      '',
      'https://hub.example.jp/api/v1/reservations/r-2',
    ],
  },
  {
    name: 'reservation-status, no reason',
    job: { to: 'sato@example.jp', template: 'reservation-status', data: { displayName: '佐藤 一郎', equipment: 'LITHO-1 Mask aligner', period: '2026-04-01 09:00–12:00 Asia/Tokyo', status: 'no show', statusJa: '無断キャンセル', reservationId: 'r-3' } },
    subject: '[LITHO-1 Mask aligner] 予約 無断キャンセル / Reservation no show',
    text: [
      '佐藤 一郎 様',
      '',
      'LITHO-1 Mask aligner の予約（2026-04-01 09:00–12:00 Asia/Tokyo）は「無断キャンセル」になりました。',
      '',
      'Your reservation of LITHO-1 Mask aligner (2026-04-01 09:00–12:00 Asia/Tokyo) is now no show.',
      '',
      'https://hub.example.jp/api/v1/reservations/r-3',
    ],
  },
  {
    name: 'characters HTML would escape',
    job: { to: 'ob@example.jp', template: 'account-created', data: { displayName: 'O\'Brien & <Sons> "R&D"' } },
    subject: 'Foundry Hub アカウント作成のお知らせ / Your Foundry Hub account',
    text: [
      'O\'Brien & <Sons> "R&D" 様',
      '',
      'Foundry Hub のアカウントが作成されました。',
      'ログイン: https://hub.example.jp/docs （メールアドレス: ob@example.jp）',
      'パスワードは管理者からお知らせします。',
      '',
      'Dear O\'Brien & <Sons> "R&D",',
      '',
      'A Foundry Hub account has been created for you.',
      'Sign in at https://hub.example.jp/docs with ob@example.jp; your administrator will tell you the password.',
    ],
  },
];

describe('the five earlier templates', () => {
  it.each(BEFORE.map((c) => [c.name, c] as const))('%s renders exactly as before', (_, { job, subject, text }) => {
    expect(renderMail(job, PUBLIC_URL)).toEqual({ subject, text: text.join('\n') });
  });
});
