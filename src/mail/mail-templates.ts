import Mustache from 'mustache';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailTemplateName, SendMailJob } from '../infra/queue/queue-name';

export interface RenderedMail {
  subject: string;
  text: string;
}

/**
 * The e-mail texts, `<name>.mustache` each: a `Subject: …` line, a blank line, then the body.
 * Read from the repository root both from `src` (tests) and from `dist` (the built app).
 */
export const MAIL_TEMPLATE_DIR = join(__dirname, '..', '..', 'templates', 'mail');

/** Urgency of a reported equipment problem, in Japanese. */
const URGENCY_JA: Record<string, string> = { low: '低', normal: '中', high: '高' };

/** Plain text: nothing is escaped. */
const PLAIN_TEXT: Mustache.RenderOptions = { escape: (value: string) => value };

/** Line breaks of any kind; in a subject they would start a new header. */
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;

interface MailTemplate {
  subject: string;
  body: string;
}

const cache = new Map<MailTemplateName, MailTemplate>();

/** Reads and splits a template once; a missing or malformed file fails at its first use. */
function loadTemplate(name: MailTemplateName): MailTemplate {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = join(MAIL_TEMPLATE_DIR, `${name}.mustache`);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Mail template "${name}" cannot be read from ${file}: ${(error as Error).message}`);
  }
  const [first, blank, ...body] = source.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  if (!first.startsWith('Subject: ') || blank !== '') {
    throw new Error(`Mail template ${file} must start with a "Subject: …" line followed by a blank line`);
  }
  const template = { subject: first.slice('Subject: '.length), body: body.join('\n') };
  cache.set(name, template);
  return template;
}

/**
 * What a template sees: the job's data, the flags its sections need, the recipient and the public
 * URL. A value that is empty or absent already skips its section (`{{#reason}}`): no flag for it.
 */
export function mailView(job: SendMailJob, publicUrl: string): Record<string, string | boolean> {
  const data = job.data;
  const derived: Record<string, string | boolean> = {};
  switch (job.template) {
    case 'equipment-problem':
      derived.isSafetyHazard = data.safetyHazard === 'yes';
      derived.urgencyJa = Object.hasOwn(URGENCY_JA, data.urgency) ? URGENCY_JA[data.urgency] : (data.urgency ?? '');
      break;
    case 'report-ready':
      derived.isAmended = data.amended === 'yes';
      break;
    case 'invoice-issued':
      derived.isCreditNote = data.kind === 'credit_note';
      break;
  }
  return { ...data, ...derived, to: job.to, publicUrl };
}

/** Bilingual texts, Japanese first as the centers' clients expect, from `templates/mail`. */
export function renderMail(job: SendMailJob, publicUrl: string): RenderedMail {
  const template = loadTemplate(job.template);
  const view = mailView(job, publicUrl);
  return {
    subject: Mustache.render(template.subject, view, undefined, PLAIN_TEXT).replace(LINE_BREAKS, ' '),
    text: Mustache.render(template.body, view, undefined, PLAIN_TEXT),
  };
}
