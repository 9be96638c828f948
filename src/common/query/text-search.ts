import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** Case-insensitive substring match of `q` against any of `columns`; `%` and `_` in `q` are literal. */
export function whereTextMatches<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, columns: string[], q: string | undefined): SelectQueryBuilder<T> {
  if (!q) return qb;
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return qb.andWhere(`(${columns.map((column) => `${column} ILIKE :textPattern`).join(' OR ')})`, { textPattern: pattern });
}
