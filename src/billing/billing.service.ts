import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, canManageCenter, SYSTEM_ACTOR } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { formatYen, TaxTotals } from '../common/money/consumption-tax';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { isDateOnly } from '../common/validation/date-only';
import { hydrate } from '../infra/database/hydrate';
import { billingScope } from './billing-scope';
import { Charge, ChargeSource } from './charge.entity';
import { ChargeLine, ReservationChargeFacts, reservationCharges } from './charge-rules';
import { invoiceTotals } from './invoice-totals';
import { AdjustChargeDto, ChargeQueryDto } from './dto/charge.dto';

/** A charge with the adjustments recorded against it and the total they leave. */
export type ChargeView = Charge & { adjustments?: Charge[]; effectiveAmount?: number };

/** What the analysis-services module passes when a request is delivered: the accepted quote's lines. */
export interface ServiceRequestChargeInput {
  serviceRequestId: string;
  requestCode: string;
  centerId: string;
  organizationId: string;
  projectId: string;
  occurredAt: Date;
  taxRate: number;
  lines: { position: number; description: string; quantity: string; unit: string | null; unitPrice: number; amount: number }[];
}

type ChargeInsert = Omit<Charge, 'id' | 'createdAt' | 'invoiceId'> & { invoiceId?: string | null };

/**
 * Charges: derived from events (finished reservations, delivered service requests), never typed
 * by hand except adjustments. Deriving is idempotent: a source line yields one charge, ever
 * (`uq_charges_source`), so a retried job or a repeated call adds nothing.
 */
@Injectable()
export class BillingService {
  private readonly logger = new Logger(BillingService.name);

  constructor(
    @InjectRepository(Charge) private readonly charges: Repository<Charge>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * Records what a finished reservation costs (completed, no-show, late cancellation), from the
   * facts the reservations module loaded. Called by the reservation-events job; safe to repeat.
   */
  async chargeReservation(facts: ReservationChargeFacts): Promise<Charge[]> {
    const lines = reservationCharges(facts);
    if (!lines.length) return [];
    const { reservation, equipment } = facts;
    return this.dataSource.transaction((em) =>
      this.insertIdempotent(
        em,
        SYSTEM_ACTOR,
        lines.map((line) => this.fromLine(line, { sourceKind: 'reservation', sourceId: reservation.id, centerId: equipment.centerId, organizationId: reservation.organizationId!, projectId: reservation.projectId!, equipmentId: equipment.id })),
      ),
    );
  }

  /**
   * Charges an accepted service request at its quoted prices, one charge per quote line, inside
   * the caller's delivery transaction. Idempotent per (request, line position).
   */
  async chargeServiceRequest(em: EntityManager, actor: Actor, input: ServiceRequestChargeInput): Promise<void> {
    if (!Number.isInteger(input.taxRate) || input.taxRate < 0 || input.taxRate > 100) throw new RangeError(`tax rate ${input.taxRate} is not a whole percentage`);
    const rows = input.lines.map((line) => {
      if (!Number.isSafeInteger(line.amount) || !Number.isSafeInteger(line.unitPrice)) throw new RangeError(`quote line ${line.position}: amounts must be integer yen`);
      return this.fromLine(
        {
          kind: 'service',
          sourceLine: line.position,
          // Each line names its request.
          description: `${input.requestCode} ${line.description}`.slice(0, 1000),
          quantity: line.quantity,
          unit: line.unit,
          minutes: null,
          unitPrice: line.unitPrice,
          amount: line.amount,
          taxRate: input.taxRate,
          occurredAt: input.occurredAt,
        },
        { sourceKind: 'service_request', sourceId: input.serviceRequestId, centerId: input.centerId, organizationId: input.organizationId, projectId: input.projectId, equipmentId: null },
      );
    });
    await this.insertIdempotent(em, actor, rows);
  }

  async list(actor: Actor, query: ChargeQueryDto): Promise<Page<Charge>> {
    const qb = this.visible(actor, 'c');
    if (query.organizationId) qb.andWhere('c.organization_id = :organizationId', { organizationId: query.organizationId });
    if (query.projectId) qb.andWhere('c.project_id = :projectId', { projectId: query.projectId });
    if (query.centerId) qb.andWhere('c.center_id = :centerId', { centerId: query.centerId });
    if (query.invoiceId) qb.andWhere('c.invoice_id = :invoiceId', { invoiceId: query.invoiceId });
    if (query.kind) qb.andWhere('c.kind = :kind', { kind: query.kind });
    if (query.uninvoiced !== undefined) qb.andWhere(query.uninvoiced ? 'c.invoice_id IS NULL' : 'c.invoice_id IS NOT NULL');
    const centerZone = '(SELECT timezone FROM centers WHERE id = c.center_id)';
    if (query.from) {
      qb.andWhere(isDateOnly(query.from) ? `c.occurred_at >= (CAST(:from AS date)::timestamp AT TIME ZONE ${centerZone})` : 'c.occurred_at >= :from', { from: query.from });
    }
    if (query.to) {
      qb.andWhere(isDateOnly(query.to) ? `c.occurred_at < ((CAST(:to AS date) + 1)::timestamp AT TIME ZONE ${centerZone})` : 'c.occurred_at < :to', { to: query.to });
    }
    return this.cursors.paginate(
      qb,
      [
        { column: 'c.occurred_at', value: (c) => c.occurredAt.toISOString(), direction: 'DESC' },
        { column: 'c.id', value: (c) => c.id, direction: 'DESC' },
      ],
      query,
    );
  }

  /** One charge with its adjustments and the total they leave. */
  async get(actor: Actor, id: string): Promise<ChargeView> {
    const charge = await this.findVisible(actor, id);
    const adjustments = await this.charges.find({ where: { adjustsChargeId: id }, order: { createdAt: 'ASC', sourceLine: 'ASC' } });
    return Object.assign(charge, { adjustments, effectiveAmount: adjustments.reduce((sum, a) => sum + a.amount, charge.amount) });
  }

  /**
   * Corrects or waives a charge: a new `adjustment` charge for the difference, linked to the
   * original and dated as it is, with the reason and who made it; the original never changes.
   * An adjustment of a charge on a draft joins that draft (whose totals follow); otherwise it
   * joins the next invoice built for the organization (an issued invoice stays as it is; a
   * credit note replaces it if it must go). A charge of a credited invoice is corrected through
   * its re-issue copy, which is the one billed again.
   */
  async adjust(actor: Actor, id: string, dto: AdjustChargeDto): Promise<ChargeView> {
    if ((dto.amount === undefined) === (dto.waive === undefined)) {
      throw AppError.badInput('amount', 'send either amount (the corrected total in integer yen) or waive: true');
    }
    const target = await this.findVisible(actor, id);
    if (!canManageCenter(actor, target.centerId)) throw AppError.forbidden('Only staff of the center may adjust its charges');
    if (target.kind === 'adjustment') {
      throw new AppError('invalid-transition', 'An adjustment is not adjusted itself; adjust the original charge', [{ field: 'id', message: `adjusts charge ${target.adjustsChargeId}` }], {
        originalChargeId: target.adjustsChargeId,
      });
    }
    const corrected = dto.waive ? 0 : dto.amount!;
    const reason = dto.reason.trim();
    const created = await this.dataSource.transaction(async (em) => {
      // Lock order as everywhere in billing: the invoice, then its charges. The original's row
      // lock serializes adjustments of one charge (a lock is no UPDATE: the trigger allows it).
      const invoice = target.invoiceId
        ? ((await em.query('SELECT id, status FROM invoices WHERE id = $1 FOR UPDATE', [target.invoiceId])) as { id: string; status: string }[])[0]
        : null;
      const [locked] = (await em.query('SELECT invoice_id FROM charges WHERE id = $1 FOR UPDATE', [id])) as { invoice_id: string | null }[];
      if (locked.invoice_id !== target.invoiceId) throw AppError.conflict('The charge was invoiced or released at the same moment; try again', 'id');
      if (invoice?.status === 'credited') throw await this.creditedError(em, target);
      const [state] = (await em.query(
        `SELECT coalesce(sum(amount), 0)::bigint AS adjusted, count(*)::int AS count FROM charges WHERE adjusts_charge_id = $1`,
        [id],
      )) as { adjusted: string; count: number }[];
      const current = target.amount + Number(state.adjusted);
      const difference = corrected - current;
      if (difference === 0) throw AppError.badInput(dto.waive ? 'waive' : 'amount', `the charge already totals ${formatYen(current)}; nothing to adjust`);
      const onDraft = invoice?.status === 'draft';
      const [inserted] = await this.insertIdempotent(em, actor, [
        {
          centerId: target.centerId,
          organizationId: target.organizationId,
          projectId: target.projectId,
          equipmentId: target.equipmentId,
          kind: 'adjustment',
          sourceKind: 'adjustment',
          sourceId: target.id,
          sourceLine: state.count + 1,
          description: `${target.description} — ${reason}`.slice(0, 1000),
          quantity: '1',
          unit: null,
          minutes: null,
          unitPrice: difference,
          amount: difference,
          taxRate: target.taxRate,
          occurredAt: target.occurredAt,
          adjustsChargeId: target.id,
          reissueOfId: null,
          reason,
          createdBy: actor.userId,
          invoiceId: onDraft ? invoice.id : null,
        },
      ]);
      if (!inserted) throw AppError.conflict('The charge was adjusted at the same moment; try again', 'id');
      if (onDraft) await this.refreshTotals(em, invoice.id);
      return inserted;
    });
    return this.get(actor, created.id);
  }

  /**
   * Recomputes a draft's totals from its charges: tax once per rate over the whole document.
   * Used by the invoices service too, so there is one way of adding up. Returns what it stored.
   */
  async refreshTotals(em: EntityManager, invoiceId: string): Promise<TaxTotals & { lineCount: number }> {
    const bases = (await em.query(
      `SELECT tax_rate AS rate, sum(amount)::text AS base, count(*)::int AS lines FROM charges WHERE invoice_id = $1 GROUP BY tax_rate`,
      [invoiceId],
    )) as { rate: number; base: string; lines: number }[];
    const totals = { ...invoiceTotals(bases), lineCount: bases.reduce((sum, b) => sum + b.lines, 0) };
    await em.query(`UPDATE invoices SET subtotal = $2, tax = $3, total = $4, taxes = $5, line_count = $6 WHERE id = $1`, [
      invoiceId,
      totals.subtotal,
      totals.tax,
      totals.total,
      JSON.stringify(totals.taxes),
      totals.lineCount,
    ]);
    return totals;
  }

  /** Members see their organization's charges, staff their centers', admins all; anything else is a 404. */
  private visible(actor: Actor, alias: string): SelectQueryBuilder<Charge> {
    return billingScope(this.charges, alias, actor);
  }

  /**
   * A charge of a credited invoice was copied for billing again (`reissue_of_id`); correcting the
   * original as well would bill the correction twice. Names the copy in force: the last of the
   * chain when the copy was credited in turn.
   */
  private async creditedError(em: EntityManager, target: Charge): Promise<AppError> {
    const [copy] = (await em.query(
      `WITH RECURSIVE chain AS (
         SELECT id FROM charges WHERE reissue_of_id = $1
         UNION ALL
         SELECT c.id FROM charges c JOIN chain ON c.reissue_of_id = chain.id)
       SELECT id FROM chain WHERE NOT EXISTS (SELECT 1 FROM charges r WHERE r.reissue_of_id = chain.id) LIMIT 1`,
      [target.id],
    )) as { id: string }[];
    return new AppError(
      'invalid-transition',
      `The invoice of this charge was credited and the charge re-issued${copy ? ` as charge ${copy.id}` : ''}; adjust the re-issued charge instead`,
      [{ field: 'id', message: copy ? `re-issued as charge ${copy.id}` : 'its invoice was credited' }],
      { reissuedChargeId: copy?.id ?? null },
    );
  }

  private async findVisible(actor: Actor, id: string): Promise<Charge> {
    const charge = await this.visible(actor, 'c').andWhere('c.id = :id', { id }).getOne();
    if (!charge) throw AppError.notFound('charge', id);
    return charge;
  }

  private fromLine(
    line: ChargeLine,
    links: { sourceKind: ChargeSource; sourceId: string; centerId: string; organizationId: string; projectId: string; equipmentId: string | null },
  ): ChargeInsert {
    return { ...links, ...line, adjustsChargeId: null, reissueOfId: null, reason: null, createdBy: null };
  }

  /** Inserts charges whose source line has none yet, records each new one in the audit log, and returns them. */
  private async insertIdempotent(em: EntityManager, actor: Actor, rows: ChargeInsert[]): Promise<Charge[]> {
    if (!rows.length) return [];
    const result = await em.createQueryBuilder().insert().into(Charge).values(rows as never).orIgnore().returning('*').execute();
    const created = (result.raw as Record<string, unknown>[]).map((row) => hydrate(em, Charge, row));
    for (const charge of created) await this.audit.record(em, actor, { entity: 'charge', entityId: charge.id, action: 'create', after: charge });
    if (created.length < rows.length) this.logger.debug(`${rows.length - created.length} charge(s) already recorded for ${rows[0].sourceKind} ${rows[0].sourceId}`);
    return created;
  }
}
