import { randomBytes } from 'node:crypto';

/**
 * Label identifiers: what a QR label carries (DESIGN.md, "Label"). An identifier, never a
 * credential: knowing an ID grants nothing, so it only has to be opaque (no sequence to
 * guess neighbours from or to leak how many samples a center holds) and hard to mistype.
 *
 * Shape: 9 random Crockford Base32 characters + 1 Luhn mod 32 check character = 10
 * characters, e.g. `7K3M9QX24P`. 32^9 ≈ 3.5 × 10^13 IDs, so random IDs practically never
 * collide (the database's unique constraint is the last guard). Every character, the check
 * character included, is in the QR alphanumeric set, so the whole URL fits alphanumeric mode
 * (about 45 % fewer bits than byte mode, hence a smaller symbol with larger modules).
 */

/** Crockford Base32: digits and upper-case letters without I, L, O, U (look-alikes, obscenity). */
export const LABEL_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LABEL_ID_PAYLOAD_LENGTH = 9;
export const LABEL_ID_LENGTH = LABEL_ID_PAYLOAD_LENGTH + 1;

const N = LABEL_ID_ALPHABET.length; // 32
const VALUE = new Map<string, number>([...LABEL_ID_ALPHABET].map((char, value) => [char, value]));

/**
 * Crockford's decoding aliases: what a person reads off a worn label or types by ear.
 * I and L are read as 1, O as 0.
 */
const ALIASES: Readonly<Record<string, string>> = { I: '1', L: '1', O: '0' };

/**
 * Luhn mod N cannot see one adjacent transposition: the first and last symbols of the alphabet
 * ("0" and "Z", like 09 ↔ 90 in the decimal Luhn check) contribute the same in either order.
 * We never issue an ID in which they are neighbours, and reject any input in which they are,
 * so every adjacent transposition of an issued ID is caught. It costs about 1.7 % of the IDs.
 */
const BLIND_PAIR = /0Z|Z0/;

/** Anything longer is not a mistyped ID; spares the normalisation work on junk input. */
const MAX_INPUT_LENGTH = 64;

/** The QR alphanumeric character set (ISO/IEC 18004, table 5). */
const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

export type ParsedLabelId = { ok: true; id: string } | { ok: false; reason: 'malformed' | 'check' };

/**
 * Luhn mod N over code points, right to left, doubling every second one starting with the
 * rightmost payload character. With `withCheck` the last character is the check character
 * (weight 1) and a valid string sums to 0 mod N.
 */
function luhnSum(values: readonly number[], withCheck: boolean): number {
  let factor = withCheck ? 1 : 2;
  let sum = 0;
  for (let i = values.length - 1; i >= 0; i--) {
    const addend = factor * values[i];
    // "Digit sum" in base N: the doubled value is at most 2N - 2, so this is one step.
    sum += Math.floor(addend / N) + (addend % N);
    factor = factor === 2 ? 1 : 2;
  }
  return sum % N;
}

/** The Luhn mod 32 check character for a payload of alphabet characters. */
export function labelIdCheckCharacter(payload: string): string {
  const values = [...payload].map((char) => {
    const value = VALUE.get(char);
    if (value === undefined) throw new TypeError(`"${char}" is not a Crockford Base32 character`);
    return value;
  });
  return LABEL_ID_ALPHABET[(N - luhnSum(values, false)) % N];
}

/**
 * A new random label ID: 9 characters from the CSPRNG plus the check character. Each
 * character is the low 5 bits of a random byte: 256 is a multiple of 32, so every character
 * is equally likely (no modulo bias), at a fraction of the cost of 9 randomInt() calls.
 */
export function generateLabelId(): string {
  for (;;) {
    const bytes = randomBytes(LABEL_ID_PAYLOAD_LENGTH);
    let payload = '';
    for (const byte of bytes) payload += LABEL_ID_ALPHABET[byte & (N - 1)];
    const id = payload + labelIdCheckCharacter(payload);
    if (!BLIND_PAIR.test(id)) return id;
  }
}

/**
 * Separators people put into an ID: spaces, hyphens and their look-alikes, including the
 * katakana long-vowel mark a Japanese IME produces when "-" is typed in kana mode.
 */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\u30fc\uff70]+/g;

/**
 * Reads an ID as typed or scanned: case-insensitive, full-width characters folded (NFKC, for
 * input typed with a Japanese IME), separators ignored (labels print it as `7K3M9-QX24P`),
 * Crockford aliases mapped. A wrong check character is reported as `check`: the input is a
 * typo, and must not be looked up (it could hit another sample).
 */
export function parseLabelId(input: string): ParsedLabelId {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return { ok: false, reason: 'malformed' };
  const chars = input.normalize('NFKC').replace(SEPARATORS, '').toUpperCase();
  if (chars.length !== LABEL_ID_LENGTH) return { ok: false, reason: 'malformed' };
  let id = '';
  const values: number[] = [];
  for (const raw of chars) {
    const char = ALIASES[raw] ?? raw;
    const value = VALUE.get(char);
    if (value === undefined) return { ok: false, reason: 'malformed' };
    id += char;
    values.push(value);
  }
  if (luhnSum(values, true) !== 0 || BLIND_PAIR.test(id)) return { ok: false, reason: 'check' };
  return { ok: true, id };
}

/** True when every character can be encoded in QR alphanumeric mode. */
export function isQrAlphanumeric(text: string): boolean {
  return QR_ALPHANUMERIC.test(text);
}

/**
 * The URL a label's QR code carries: `<PUBLIC_URL>/S/<ID>`, upper-cased so that it stays in
 * QR alphanumeric mode (scheme and host are case-insensitive; the server must route `/S/`
 * case-insensitively, including any path prefix of PUBLIC_URL). Throws when the result has a
 * character outside the alphanumeric set (a query string, `_`, `~`, ...), because a label
 * printed from such a URL would need byte mode and a denser code.
 */
export function labelUrl(publicUrl: string, id: string): string {
  const parsed = parseLabelId(id);
  if (!parsed.ok) throw new TypeError(`"${id}" is not a valid label ID (${parsed.reason})`);
  const url = `${publicUrl.replace(/\/+$/, '')}/S/${parsed.id}`.toUpperCase();
  if (!isQrAlphanumeric(url)) {
    throw new RangeError(
      `label URL "${url}" has characters outside the QR alphanumeric set (0-9 A-Z space $ % * + - . / :); ` +
        'use a PUBLIC_URL without query, fragment, "_" or "~"',
    );
  }
  return url;
}

/** The ID as printed for people: two groups of five, `7K3M9-QX24P` (parseLabelId accepts it). */
export function formatLabelId(id: string): string {
  return id.length === LABEL_ID_LENGTH ? `${id.slice(0, 5)}-${id.slice(5)}` : id;
}
