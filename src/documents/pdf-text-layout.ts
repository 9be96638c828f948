/**
 * Text helpers of the PDF renderers that lay out their pages themselves (the chain-of-custody
 * report, quotes, analysis reports, invoices): cleaning what users typed, wrapping it to a
 * width, cutting it with an ellipsis, and putting one line at an explicit position. pdfkit's
 * own flowing text is not used, so that every page break is one the renderer chose.
 */
import type PDFDocument from 'pdfkit';

export type PdfDoc = typeof PDFDocument;

/** Where the baseline sits below the top of a line box, as a share of the font size (Noto Sans JP). */
export const ASCENT = 0.9;

/**
 * Text as it may be printed: control characters (which pdfkit would take for line breaks)
 * become spaces, runs of white space one space, decomposed kana are joined (NFC). With
 * `keepNewlines`, line breaks the user typed (a reason in several lines) are kept.
 */
export function clean(value: unknown, keepNewlines = false): string {
  const text = String(value ?? '')
    .normalize('NFC')
    .replace(/\r\n?/g, '\n');
  const paragraphs = keepNewlines ? text.split('\n') : [text];
  return paragraphs
    .map((paragraph) => paragraph.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/**
 * Characters a line may break before and after without a space: kana, kanji, CJK punctuation
 * and full-width forms. Japanese has no spaces between words.
 */
const CJK = /[\u2e80-\u303f\u3040-\u30ff\u3100-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u{20000}-\u{3fffd}]/u;
/** Closing punctuation and small kana never start a line (kinsoku); they stay with what precedes them. */
const NO_LINE_START = /^[、。，．・：；？！）］｝〕〉》」』】〙〗”’ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々…‥,.:;!?)\]}%]/u;
/** Opening brackets never end a line; they stay with what follows them. */
const NO_LINE_END = /[（［｛〔〈《「『【〘〖“‘(\[{]$/u;

/** A paragraph as pieces a line may break between, each saying whether a space precedes it. */
function breakableTokens(paragraph: string): { text: string; spaced: boolean }[] {
  const tokens: { text: string; spaced: boolean }[] = [];
  let spaced = false;
  let lastIsCjk = false;
  let glue = false; // the previous piece is an opening bracket
  for (const [piece] of paragraph.matchAll(/ +|[^ ]/gu)) {
    if (piece.startsWith(' ')) {
      spaced = true;
      continue;
    }
    const isCjk = CJK.test(piece);
    const last = tokens[tokens.length - 1];
    if (last && !spaced && (glue || NO_LINE_START.test(piece) || (!isCjk && !lastIsCjk))) last.text += piece;
    else tokens.push({ text: piece, spaced });
    spaced = false;
    lastIsCjk = isCjk;
    glue = NO_LINE_END.test(piece);
  }
  return tokens;
}

/**
 * Splits `text` into lines at most `width` wide in the current font and size: at spaces, and
 * between Japanese characters (never before closing punctuation nor after an opening
 * bracket); between any characters where a word alone is too wide (long codes, hashes).
 * Pieces are measured one at a time and summed, so a long text costs linear time and pdfkit
 * caches only short pieces; kerning only makes the real line narrower, never wider.
 */
export function wrap(doc: PdfDoc, text: string, width: number): string[] {
  const lines: string[] = [];
  const spaceWidth = doc.widthOfString(' ');
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const token of breakableTokens(paragraph)) {
      const gap = line && token.spaced ? spaceWidth : 0;
      const advance = doc.widthOfString(token.text);
      if (line && used + gap + advance <= width) {
        line += (gap ? ' ' : '') + token.text;
        used += gap + advance;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      used = 0;
      if (advance <= width) {
        line = token.text;
        used = advance;
        continue;
      }
      for (const char of token.text) {
        const charWidth = doc.widthOfString(char);
        if (line && used + charWidth > width) {
          lines.push(line);
          line = '';
          used = 0;
        }
        line += char;
        used += charWidth;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * `text` shortened with an ellipsis until it is at most `width` wide in the current font; empty
 * when not even the ellipsis fits.
 */
export function fit(doc: PdfDoc, text: string, width: number): string {
  if (width <= 0 || !text) return '';
  if (doc.widthOfString(text) <= width) return text;
  const chars = Array.from(text); // code points: never split a surrogate pair
  let keep = 0;
  let tooMany = chars.length;
  while (tooMany - keep > 1) {
    const mid = (keep + tooMany) >> 1;
    if (doc.widthOfString(`${chars.slice(0, mid).join('').trimEnd()}…`) <= width) keep = mid;
    else tooMany = mid;
  }
  if (keep > 0) return `${chars.slice(0, keep).join('').trimEnd()}…`;
  return doc.widthOfString('…') <= width ? '…' : '';
}

/** One line of text whose line box starts at `top`; no wrapping, so pdfkit never adds a page. */
export function put(doc: PdfDoc, text: string, x: number, top: number, font: string, size: number, color: string): void {
  if (!text) return;
  doc.font(font).fontSize(size).fillColor(color);
  doc.text(text, x, top + size * ASCENT, { lineBreak: false, baseline: 'alphabetic' });
}
