import {
  formatLabelId,
  generateLabelId,
  isQrAlphanumeric,
  LABEL_ID_ALPHABET,
  labelIdCheckCharacter,
  labelUrl,
  parseLabelId,
} from './label-id';

/** Every ID one substitution away from `id`. */
function substitutions(id: string): string[] {
  const result: string[] = [];
  for (let i = 0; i < id.length; i++) {
    for (const char of LABEL_ID_ALPHABET) if (char !== id[i]) result.push(id.slice(0, i) + char + id.slice(i + 1));
  }
  return result;
}

/** Every ID with two neighbouring (different) characters swapped. */
function transpositions(id: string): string[] {
  const result: string[] = [];
  for (let i = 0; i + 1 < id.length; i++) {
    if (id[i] !== id[i + 1]) result.push(id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2));
  }
  return result;
}

describe('generateLabelId', () => {
  const ids = Array.from({ length: 2000 }, () => generateLabelId());

  it('makes 10 Crockford Base32 characters that its own parser accepts unchanged', () => {
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
      expect(parseLabelId(id)).toEqual({ ok: true, id });
    }
  });

  it('ends in the Luhn mod 32 check character of the first nine', () => {
    for (const id of ids.slice(0, 200)) expect(id[9]).toBe(labelIdCheckCharacter(id.slice(0, 9)));
  });

  it('is random, not sequential: no repeats, and every character used in every position', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (let position = 0; position < 9; position++) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(32);
    }
    const sorted = [...ids].sort();
    expect(ids).not.toEqual(sorted);
  });

  it('never puts 0 next to Z, the one neighbour pair Luhn mod 32 cannot see swapped', () => {
    for (const id of ids) expect(id).not.toMatch(/0Z|Z0/);
  });
});

describe('labelIdCheckCharacter', () => {
  it('computes Luhn mod N over the 32-character alphabet', () => {
    // Worked by hand: payload "000000001" — the rightmost value 1 is doubled to 2, sum 2, check (32 - 2) % 32 = 30 = "Y".
    expect(labelIdCheckCharacter('000000001')).toBe('Y');
    // "00000000G": G = 16, doubled 32 = "10" in base 32, digit sum 1 + 0 = 1, check 31 = "Z".
    expect(labelIdCheckCharacter('00000000G')).toBe('Z');
    expect(labelIdCheckCharacter('000000000')).toBe('0');
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => labelIdCheckCharacter('00000000U')).toThrow(TypeError);
  });
});

describe('parseLabelId', () => {
  const id = '7K3M9QX24' + labelIdCheckCharacter('7K3M9QX24');

  it('accepts lower case, hyphens and spaces, and returns the canonical form', () => {
    expect(parseLabelId(id.toLowerCase())).toEqual({ ok: true, id });
    expect(parseLabelId(formatLabelId(id))).toEqual({ ok: true, id });
    expect(parseLabelId(` ${id.slice(0, 3)} ${id.slice(3, 6)}-${id.slice(6)} `)).toEqual({ ok: true, id });
  });

  it('folds what a Japanese IME types: full-width characters, ideographic space, ー for -', () => {
    const fullWidth = [...formatLabelId(id).toLowerCase()].map((char) => (char === '-' ? 'ー' : String.fromCharCode(char.charCodeAt(0) + 0xfee0))).join('');
    expect(parseLabelId(fullWidth)).toEqual({ ok: true, id });
    expect(parseLabelId(`${id.slice(0, 5)}\u3000${id.slice(5)}`)).toEqual({ ok: true, id });
  });

  it('reads the Crockford aliases I and L as 1 and O as 0', () => {
    const withOnes = '1L1I0O000';
    const canonical = '111100000';
    const full = canonical + labelIdCheckCharacter(canonical);
    expect(parseLabelId(withOnes + full[9])).toEqual({ ok: true, id: full });
  });

  it('reports wrong length and foreign characters as malformed', () => {
    expect(parseLabelId('')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseLabelId(id.slice(0, 9))).toEqual({ ok: false, reason: 'malformed' });
    expect(parseLabelId(id + '0')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseLabelId(`${id.slice(0, 9)}U`)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseLabelId(`${id.slice(0, 9)}*`)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseLabelId('x'.repeat(10_000))).toEqual({ ok: false, reason: 'malformed' });
    expect(parseLabelId(undefined as unknown as string)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reports a wrong check character as check, so a typo is caught and never looked up', () => {
    const wrong = LABEL_ID_ALPHABET[(LABEL_ID_ALPHABET.indexOf(id[9]) + 1) % 32];
    expect(parseLabelId(id.slice(0, 9) + wrong)).toEqual({ ok: false, reason: 'check' });
  });

  // The typos that get through, collected and compared once: 100,000 expect() calls would be slow.
  const undetected = (typos: string[]) =>
    typos.filter((typo) => {
      const parsed = parseLabelId(typo);
      return parsed.ok || parsed.reason !== 'check';
    });

  it('detects every single-character substitution of 300 IDs', () => {
    const typos = Array.from({ length: 300 }, () => substitutions(generateLabelId())).flat();
    expect(typos).toHaveLength(300 * 10 * 31);
    expect(undetected(typos)).toEqual([]);
  });

  it('detects every adjacent transposition of 5,000 IDs, the check character included', () => {
    const typos = Array.from({ length: 5000 }, () => transpositions(generateLabelId())).flat();
    expect(typos.length).toBeGreaterThan(5000 * 8);
    expect(undetected(typos)).toEqual([]);
  });

  it('detects the 0 ↔ Z swap that Luhn mod 32 alone misses', () => {
    // Build an ID whose check passes with "0Z" in it: Luhn cannot tell it from the "Z0" version.
    const payload = '70Z3M9QX2';
    const candidate = payload + labelIdCheckCharacter(payload);
    const swapped = '7Z03M9QX2' + candidate[9];
    expect(labelIdCheckCharacter('7Z03M9QX2')).toBe(candidate[9]);
    expect(parseLabelId(candidate)).toEqual({ ok: false, reason: 'check' });
    expect(parseLabelId(swapped)).toEqual({ ok: false, reason: 'check' });
  });
});

describe('labelUrl', () => {
  const id = generateLabelId();

  it('builds the upper-case <PUBLIC_URL>/S/<ID> without a double slash', () => {
    expect(labelUrl('https://hub.example.jp', id)).toBe(`HTTPS://HUB.EXAMPLE.JP/S/${id}`);
    expect(labelUrl('https://hub.example.jp/', id)).toBe(`HTTPS://HUB.EXAMPLE.JP/S/${id}`);
    expect(labelUrl('http://localhost:3000//', id)).toBe(`HTTP://LOCALHOST:3000/S/${id}`);
    expect(labelUrl('https://example.jp/foundry-hub', formatLabelId(id).toLowerCase())).toBe(`HTTPS://EXAMPLE.JP/FOUNDRY-HUB/S/${id}`);
  });

  it('stays in the QR alphanumeric set', () => {
    expect(isQrAlphanumeric(labelUrl('https://hub.example.jp:8443/a-b.c', id))).toBe(true);
  });

  it('refuses a PUBLIC_URL that would force byte mode', () => {
    expect(() => labelUrl('https://hub.example.jp/?x=1', id)).toThrow(RangeError);
    expect(() => labelUrl('https://hub_example.jp', id)).toThrow(/alphanumeric/);
    expect(() => labelUrl('https://ハブ.example.jp', id)).toThrow(RangeError);
  });

  it('refuses an ID that is not one', () => {
    expect(() => labelUrl('https://hub.example.jp', 'ABC')).toThrow(TypeError);
  });
});

describe('formatLabelId', () => {
  it('groups the ten characters five and five', () => {
    expect(formatLabelId('7K3M9QX24P')).toBe('7K3M9-QX24P');
  });
});
