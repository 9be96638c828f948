/**
 * The layouts of the quote, report and invoice PDFs, read from `templates/documents/<name>.json`:
 * the order of the sections, the columns of each table and every printed caption in Japanese
 * and English. Wording and column widths change there, without touching the renderers; what a
 * renderer cannot draw (an unknown section or column, a missing caption) fails loudly when the
 * layout is first read, not as a blank on a customer's invoice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentLanguage } from './document-types';

/** Resolved from this file like the scan pages' templates: the same from src/ (Jest) and dist/. */
const TEMPLATES = join(__dirname, '..', '..', 'templates', 'documents');

export interface Caption {
  ja: string;
  en: string;
}

export type ColumnAlign = 'left' | 'right' | 'center';

export interface ColumnLayout<Key extends string = string> {
  key: Key;
  caption: Caption;
  /** Share of the table's width, relative to the other columns' shares. */
  width: number;
  align: ColumnAlign;
}

/** What a renderer expects of its layout file: the names it knows how to draw. */
export interface LayoutSpec<Section extends string, CaptionKey extends string, Tables extends Record<string, readonly string[]>> {
  sections: readonly Section[];
  captions: readonly CaptionKey[];
  tables: Tables;
}

export interface DocumentLayout<Section extends string, CaptionKey extends string, Tables extends Record<string, readonly string[]>> {
  /** Every section of the spec, once each, in the order of the file. */
  sections: Section[];
  captions: Record<CaptionKey, Caption>;
  tables: { [Name in keyof Tables]: ColumnLayout<Tables[Name][number]>[] };
}

const ALIGNS: readonly ColumnAlign[] = ['left', 'right', 'center'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkCaption(value: unknown, where: string): Caption {
  if (!isObject(value) || typeof value.ja !== 'string' || typeof value.en !== 'string' || !value.ja.trim() || !value.en.trim()) {
    throw new TypeError(`${where} needs non-empty "ja" and "en" strings`);
  }
  return { ja: value.ja, en: value.en };
}

/** The names in `actual` must be exactly those of `expected`, each once: a typo is an error, not a gap. */
function checkSameNames(actual: readonly string[], expected: readonly string[], where: string): void {
  const missing = expected.filter((name) => !actual.includes(name));
  const unknown = actual.filter((name) => !expected.includes(name));
  const repeated = actual.filter((name, index) => actual.indexOf(name) !== index);
  const problems = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    unknown.length ? `unknown ${unknown.join(', ')}` : '',
    repeated.length ? `repeated ${repeated.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length) throw new TypeError(`${where}: ${problems.join('; ')}`);
}

function checkColumns(value: unknown, expected: readonly string[], where: string): ColumnLayout[] {
  if (!Array.isArray(value)) throw new TypeError(`${where} must be an array of columns`);
  const columns = value.map((column: unknown, index): ColumnLayout => {
    const at = `${where}[${index}]`;
    if (!isObject(column) || typeof column.key !== 'string') throw new TypeError(`${at} needs a "key"`);
    if (typeof column.width !== 'number' || !(column.width > 0)) throw new TypeError(`${at}.width must be a positive number`);
    if (!ALIGNS.includes(column.align as ColumnAlign)) throw new TypeError(`${at}.align must be one of ${ALIGNS.join(', ')}`);
    return { key: column.key, caption: checkCaption(column.caption, `${at}.caption`), width: column.width, align: column.align as ColumnAlign };
  });
  checkSameNames(
    columns.map((column) => column.key),
    expected,
    `${where} keys`,
  );
  return columns;
}

/** Checks a parsed layout file against what its renderer draws. Exported for the tests of broken files. */
export function parseDocumentLayout<Section extends string, CaptionKey extends string, Tables extends Record<string, readonly string[]>>(
  json: unknown,
  spec: LayoutSpec<Section, CaptionKey, Tables>,
  where: string,
): DocumentLayout<Section, CaptionKey, Tables> {
  if (!isObject(json)) throw new TypeError(`${where}: not a JSON object`);
  const { sections, captions, tables } = json;
  if (!Array.isArray(sections) || !sections.every((name) => typeof name === 'string')) throw new TypeError(`${where}: "sections" must be an array of names`);
  checkSameNames(sections, spec.sections, `${where}: sections`);
  if (!isObject(captions)) throw new TypeError(`${where}: "captions" must be an object`);
  checkSameNames(Object.keys(captions), spec.captions, `${where}: captions`);
  if (!isObject(tables)) throw new TypeError(`${where}: "tables" must be an object`);
  checkSameNames(Object.keys(tables), Object.keys(spec.tables), `${where}: tables`);

  const checkedCaptions = {} as Record<CaptionKey, Caption>;
  for (const key of spec.captions) checkedCaptions[key] = checkCaption(captions[key], `${where}: captions.${key}`);
  const checkedTables = {} as Record<string, ColumnLayout[]>;
  for (const [name, keys] of Object.entries(spec.tables)) checkedTables[name] = checkColumns(tables[name], keys, `${where}: tables.${name}`);
  return {
    sections: sections as Section[],
    captions: checkedCaptions,
    tables: checkedTables as DocumentLayout<Section, CaptionKey, Tables>['tables'],
  };
}

const loaded = new Map<string, unknown>();

/**
 * The layout `templates/documents/<name>.json`, read and checked once per process (the files
 * ship with the build and do not change while it runs).
 */
export function loadDocumentLayout<Section extends string, CaptionKey extends string, Tables extends Record<string, readonly string[]>>(
  name: string,
  spec: LayoutSpec<Section, CaptionKey, Tables>,
): DocumentLayout<Section, CaptionKey, Tables> {
  let layout = loaded.get(name) as DocumentLayout<Section, CaptionKey, Tables> | undefined;
  if (!layout) {
    const file = join(TEMPLATES, `${name}.json`);
    layout = parseDocumentLayout(JSON.parse(readFileSync(file, 'utf8')), spec, `templates/documents/${name}.json`);
    loaded.set(name, layout);
  }
  return layout;
}

/**
 * The captions of one layout in one language. `{name}` in a caption is replaced by the value
 * of that name; a placeholder without a value is an error (a caption edited out of step with
 * its renderer), never printed as braces.
 */
export class Captions<Key extends string> {
  constructor(
    private readonly captions: Record<Key, Caption>,
    readonly language: DocumentLanguage,
  ) {}

  text(key: Key, values: Record<string, string | number> = {}): string {
    return fillCaption(this.captions[key][this.language], values, key);
  }

  /** A table's columns with their captions in this language. */
  columns<ColumnKey extends string>(columns: ColumnLayout<ColumnKey>[]): { key: ColumnKey; caption: string; width: number; align: ColumnAlign }[] {
    return columns.map((column) => ({ key: column.key, caption: column.caption[this.language], width: column.width, align: column.align }));
  }
}

export function fillCaption(template: string, values: Record<string, string | number>, key: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new RangeError(`caption "${key}" uses {${name}}, which the renderer does not provide`);
    return String(values[name]);
  });
}
