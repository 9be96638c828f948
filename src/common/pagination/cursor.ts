import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppError } from '../errors/app-error';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One sort key of a keyset: the SQL expression and how to read its value from a row. */
export interface SortKey<T> {
  column: string;
  value: (row: T) => string | number;
  direction?: 'ASC' | 'DESC';
}

/**
 * Signs and reads opaque keyset cursors. The HMAC makes a tampered cursor a 400 instead of a
 * query with values the server never handed out.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(values: (string | number)[]): string {
    const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string, arity: number): (string | number)[] {
    const [payload, signature, extra] = cursor.split('.');
    const expected = this.sign(payload ?? '');
    const valid =
      extra === undefined &&
      !!signature &&
      signature.length === expected.length &&
      timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!valid) throw AppError.badInput('cursor', 'is not a cursor this server issued');
    const values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(values) || values.length !== arity) throw AppError.badInput('cursor', 'does not fit this list');
    return values as (string | number)[];
  }

  /**
   * Runs `qb` ordered by `keys`, continuing after `query.cursor`, and returns one page.
   * All keys share one direction, so a row-value comparison continues the keyset exactly.
   */
  async paginate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, keys: SortKey<T>[], query: PageQueryDto): Promise<Page<T>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const direction = keys[0].direction ?? 'ASC';
    if (query.cursor) {
      const values = this.decode(query.cursor, keys.length);
      const params = Object.fromEntries(values.map((value, i) => [`cursor${i}`, value]));
      const left = keys.map((k) => k.column).join(', ');
      const right = keys.map((_, i) => `:cursor${i}`).join(', ');
      qb.andWhere(`(${left}) ${direction === 'ASC' ? '>' : '<'} (${right})`, params);
    }
    keys.forEach((key, i) => (i === 0 ? qb.orderBy(key.column, direction) : qb.addOrderBy(key.column, direction)));
    const rows = await qb.take(limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? this.encode(keys.map((key) => key.value(last))) : null,
    };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(`cursor:${payload}`).digest('base64url').slice(0, 22);
  }
}
