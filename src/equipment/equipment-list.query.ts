import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CursorCodec, DEFAULT_LIMIT, Page } from '../common/pagination/cursor';
import { containsPattern } from '../common/query/text-search';
import { EquipmentQueryDto } from './dto/equipment.dto';
import { Equipment } from './equipment.entity';

/** The columns of an equipment row, named as the API names them. */
const COLUMNS = `id, center_id AS "centerId", code, name_ja AS "nameJa", name_en AS "nameEn", kind, category, location, status,
  requires_qualification AS "requiresQualification", remote_capable AS "remoteCapable", rde_instrument_id AS "rdeInstrumentId",
  maiml_output AS "maimlOutput", rates, policy, charge_for AS "chargeFor", no_show_charge_percent AS "noShowChargePercent",
  late_cancellation_charge_percent AS "lateCancellationChargePercent", staff_rates AS "staffRates",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The catalogue list is the busiest read of the system (every booking screen opens with it),
 * so it is one parameterised SQL statement whose rows already have the API's shape, instead
 * of a query builder and entity hydration. The catalogue is shared by all organizations, so
 * no tenancy filter applies (see `@TenantOwned(null)` on the entity).
 */
@Injectable()
export class EquipmentListQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  async run(query: EquipmentQueryDto): Promise<Page<Equipment>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const where: string[] = [];
    const params: unknown[] = [];
    const parameter = (value: unknown) => `$${params.push(value)}`;
    if (query.q) {
      const pattern = parameter(containsPattern(query.q));
      where.push(`(code ILIKE ${pattern} OR name_ja ILIKE ${pattern} OR name_en ILIKE ${pattern})`);
    }
    if (query.centerId) where.push(`center_id = ${parameter(query.centerId)}`);
    if (query.kind) where.push(`kind = ${parameter(query.kind)}`);
    if (query.category) where.push(`category = ${parameter(query.category)}`);
    if (query.status) where.push(`status = ${parameter(query.status)}`);
    if (query.cursor) {
      const [code, id] = this.cursors.decode(query.cursor, 2);
      where.push(`(code, id) > (${parameter(code)}, ${parameter(id)}::uuid)`);
    }
    // One row more than the page tells whether a next page exists.
    const sql = `SELECT ${COLUMNS} FROM equipment ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY code, id LIMIT ${parameter(limit + 1)}`;
    const rows = (await this.dataSource.query(sql, params)) as Equipment[];
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? this.cursors.encode([last.code, last.id]) : null };
  }
}
