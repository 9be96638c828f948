import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** An ILIKE pattern matching `q` anywhere, with `%`, `_` and `\` in `q` taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Case-insensitive substring match of `q` against any of `columns`; `%` and `_` in `q` are literal. */
export function whereTextMatches<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, columns: string[], q: string | undefined): SelectQueryBuilder<T> {
  if (!q) return qb;
  return qb.andWhere(`(${columns.map((column) => `${column} ILIKE :textPattern`).join(' OR ')})`, { textPattern: containsPattern(q) });
}
