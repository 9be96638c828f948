import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { formatYen } from '../common/money/consumption-tax';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { streamOf } from '../common/streams';
import { todayIn } from '../common/time/today';
import type { DocumentIssuer, DocumentLanguage, InvoiceDocument } from '../documents/document-types';
import { renderInvoicePdf } from '../documents/pdf-documents';
import { hydrate } from '../infra/database/hydrate';
import { JobName } from '../infra/queue/queue-name';
import { OrganizationsService } from '../organizations/organizations.service';
import { OutboxService } from '../outbox/outbox.service';
import { billingScope } from './billing-scope';
import { BillingService } from './billing.service';
import type { ChargeKind } from './charge.entity';
import { CreateInvoiceDto, CreditNoteDto, InvoiceQueryDto, PayInvoiceDto, UpdateInvoiceDto } from './dto/invoice.dto';
import { daysBetween, endOfNextMonth, fiscalYearOf, invoiceNumber, monthPeriod } from './invoice-calendar';
import { negate, negateTotals } from './invoice-totals';
import { Invoice, InvoiceSnapshot } from './invoice.entity';

/** Longest period one invoice may cover. */
const MAX_PERIOD_DAYS = 366;
/** What members never see: work in progress and thrown-away drafts. */
const STAFF_ONLY_STATUSES = ['draft', 'discarded'];

/** One line of an invoice as the API shows it (a credit note shows its invoice's lines negated). */
export interface InvoiceLineView {
  chargeId: string;
  /** Day it occurred, in the center's time zone. */
  date: string;
  kind: ChargeKind;
  description: string;
  equipmentId: string | null;
  equipmentCode: string | null;
  quantity: string;
  unit: string | null;
  unitPrice: number | null;
  amount: number;
  taxRate: number;
}

export interface InvoiceGroupView {
  projectId: string;
  projectCode: string;
  projectName: string;
  lines: InvoiceLineView[];
  subtotal: number;
}

/** An invoice with its lines grouped by project (project code order) and its tax summary. */
export type InvoiceView = Invoice & {
  number: string | null;
  centerCode: string;
  organizationName: string;
  /** The invoice a credit note corrects, and the credit note that corrected an invoice. */
  creditForNumber: string | null;
  creditNoteId: string | null;
  groups: InvoiceGroupView[];
};

interface LineRow {
  id: string;
  kind: ChargeKind;
  description: string;
  quantity: string;
  unit: string | null;
  unit_price: string | null;
  amount: string;
  tax_rate: number;
  local_date: string;
  equipment_id: string | null;
  equipment_code: string | null;
  equipment_name_ja: string | null;
  equipment_name_en: string | null;
  project_id: string;
  project_code: string;
  project_name: string;
}

interface CenterRow {
  id: string;
  code: string;
  name_ja: string;
  name_en: string;
  address: string | null;
  contact_email: string | null;
  invoice_registration_number: string | null;
  timezone: string;
  fiscal_year_start_month: number;
}

const KIND_LABELS: Record<DocumentLanguage, Record<ChargeKind, string>> = {
  ja: {
    instrument_time: '装置利用',
    staff_time: '技術職員オペレーション',
    no_show: '無断不使用',
    late_cancellation: '直前キャンセル',
    service: '分析サービス',
    adjustment: '調整',
  },
  en: {
    instrument_time: 'Instrument use',
    staff_time: 'Staff operator time',
    no_show: 'No-show',
    late_cancellation: 'Late cancellation',
    service: 'Analysis service',
    adjustment: 'Adjustment',
  },
};

const negateQuantity = (quantity: string) => (quantity.startsWith('-') ? quantity.slice(1) : Number(quantity) === 0 ? quantity : `-${quantity}`);

/**
 * Invoices and credit notes. A draft collects the uninvoiced charges of one organization at one
 * center up to the end of its period; staff review it (adjusting charges moves its totals), then issue it:
 * numbered without gaps per center and fiscal year in the issuing transaction, frozen by the
 * database, and mailed to the organization's members through the outbox. A mistake in an
 * issued invoice is corrected by a credit note, which makes its charges billable again.
 */
@Injectable()
export class InvoicesService {
  constructor(
    @InjectRepository(Invoice) private readonly invoices: Repository<Invoice>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly billing: BillingService,
    private readonly organizations: OrganizationsService,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * `POST /invoices`: a draft from the organization's uninvoiced charges up to the period's end.
   * Charges of earlier periods recorded after those were invoiced (a no-show marked the next
   * day, a retried job, an adjustment) join it under their own dates rather than go unbilled.
   */
  async build(actor: Actor, dto: CreateInvoiceDto): Promise<InvoiceView> {
    const { periodStart, periodEnd } = this.periodOf(dto);
    if (dto.dueDate !== undefined) this.checkDueDate(dto.dueDate, periodEnd);
    const centerId = this.issuingCenter(actor, dto.centerId);
    const center = await this.centers.requireExisting(actor, centerId);
    if (!canManageCenter(actor, center.id)) throw AppError.forbidden('Only staff of the center may invoice its charges');
    const organization = await this.organizations.requireVisible(actor, dto.organizationId);
    await this.refuseOverlap(organization.id, center.id, periodStart, periodEnd);
    const id = await this.dataSource.transaction(async (em) => {
      const draft = hydrate(
        em,
        Invoice,
        (
          (await em
            .createQueryBuilder()
            .insert()
            .into(Invoice)
            .values({
              kind: 'invoice',
              centerId: center.id,
              organizationId: organization.id,
              periodStart,
              periodEnd,
              status: 'draft',
              dueDate: dto.dueDate ?? endOfNextMonth(periodEnd),
              notes: dto.notes ?? null,
              builtAt: new Date(),
              builtBy: actor.userId,
            } as never)
            .returning('*')
            .execute()).raw as Record<string, unknown>[]
        )[0],
      );
      // Every uninvoiced charge up to the period's last day in the center's time zone.
      const [{ count }] = (await em.query(
        `WITH taken AS (
           UPDATE charges SET invoice_id = $1
            WHERE invoice_id IS NULL AND organization_id = $2 AND center_id = $3
              AND occurred_at < ($4::date + 1)::timestamp AT TIME ZONE $5
            RETURNING 1)
         SELECT count(*)::int AS count FROM taken`,
        [draft.id, organization.id, center.id, periodEnd, center.timezone],
      )) as { count: number }[];
      if (!count) {
        throw new AppError('invalid-transition', `${organization.name} has no uninvoiced charges at ${center.code} up to ${periodEnd}`, [
          { field: 'periodStart', message: 'no uninvoiced charges in or before this period' },
        ]);
      }
      Object.assign(draft, await this.billing.refreshTotals(em, draft.id));
      await this.audit.record(em, actor, { entity: 'invoice', entityId: draft.id, action: 'create', after: draft });
      return draft.id;
    });
    return this.get(actor, id);
  }

  async list(actor: Actor, query: InvoiceQueryDto): Promise<Page<Invoice>> {
    const qb = this.visible(actor, 'i');
    if (query.organizationId) qb.andWhere('i.organization_id = :organizationId', { organizationId: query.organizationId });
    if (query.centerId) qb.andWhere('i.center_id = :centerId', { centerId: query.centerId });
    if (query.status) qb.andWhere('i.status = :status', { status: query.status });
    if (query.kind) qb.andWhere('i.kind = :kind', { kind: query.kind });
    return this.cursors.paginate(
      qb,
      [
        { column: 'i.created_at', value: (i) => i.createdAt.toISOString(), direction: 'DESC' },
        { column: 'i.id', value: (i) => i.id, direction: 'DESC' },
      ],
      query,
    );
  }

  /** One invoice with its lines grouped by project and its tax summary. */
  async get(actor: Actor, id: string): Promise<InvoiceView> {
    return this.view(await this.findVisible(actor, id));
  }

  /** `PATCH /invoices/:id`: the due date and notes of a draft; an issued invoice is never edited. */
  async update(actor: Actor, id: string, dto: UpdateInvoiceDto): Promise<InvoiceView> {
    await this.findManaged(actor, id);
    const fields = Object.keys(dto).filter((key) => (dto as Record<string, unknown>)[key] !== undefined);
    await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, id);
      if (locked.status !== 'draft') throw this.frozen(locked, fields.length ? fields : ['status']);
      if (dto.dueDate !== undefined) this.checkDueDate(dto.dueDate, locked.periodEnd);
      const changes: Partial<Invoice> = {};
      if (dto.dueDate !== undefined) changes.dueDate = dto.dueDate;
      if (dto.notes !== undefined) changes.notes = dto.notes;
      await this.audit.update(em, actor, Invoice, 'invoice', id, changes);
    });
    return this.get(actor, id);
  }

  /** `DELETE /invoices/:id`: discards a draft; its charges are uninvoiced again. The row stays, as `discarded`. */
  async discard(actor: Actor, id: string): Promise<InvoiceView> {
    await this.findManaged(actor, id);
    await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, id);
      if (locked.status !== 'draft') throw this.notAllowed(locked, 'discard', 'only a draft is discarded; correct an issued invoice with a credit note');
      await em.query('UPDATE charges SET invoice_id = NULL WHERE invoice_id = $1', [id]);
      await this.audit.update(em, actor, Invoice, 'invoice', id, { status: 'discarded', discardedAt: new Date() }, { action: 'discard' });
    });
    return this.get(actor, id);
  }

  /**
   * Issues a draft: totals recomputed from its charges, the next number of the center's fiscal
   * year taken in this transaction (gapless: a failure gives the number back), issuer and
   * recipient frozen for reprints, and an `invoice-issued` mail to each member of the organization.
   */
  async issue(actor: Actor, id: string): Promise<InvoiceView> {
    await this.findManaged(actor, id);
    await this.dataSource.transaction(async (em) => {
      const draft = await this.lock(em, id);
      if (draft.status !== 'draft') throw this.notAllowed(draft, 'issue', `it is already ${draft.status}`);
      const { lineCount } = await this.billing.refreshTotals(em, id);
      if (lineCount === 0) throw new AppError('invalid-transition', 'An invoice without charges is not issued; discard the draft', [{ field: 'status', message: 'the draft has no charges' }]);
      const issuedAt = new Date();
      const center = await this.centerRow(em, draft.centerId);
      const numbered = await this.nextNumber(em, center, issuedAt);
      const snapshot = await this.snapshot(em, draft, center);
      const updated = await this.audit.update(
        em,
        actor,
        Invoice,
        'invoice',
        id,
        {
          status: 'issued',
          ...numbered,
          issuedAt,
          issuedBy: actor.userId,
          dueDate: draft.dueDate ?? endOfNextMonth(todayIn(center.timezone, issuedAt)),
          snapshot,
        },
        { action: 'issue' },
      );
      await this.notify(em, actor, updated, snapshot);
    });
    return this.get(actor, id);
  }

  /** Records the payment of an issued invoice. */
  async pay(actor: Actor, id: string, dto: PayInvoiceDto): Promise<InvoiceView> {
    await this.findManaged(actor, id);
    const paidAt = dto.paidAt ? new Date(dto.paidAt) : new Date();
    if (paidAt.getTime() > Date.now() + 5 * 60_000) throw AppError.badInput('paidAt', 'is in the future');
    await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, id);
      if (locked.kind !== 'invoice') throw this.notAllowed(locked, 'pay', 'a credit note is settled against its invoice, not paid');
      if (locked.status !== 'issued') throw this.notAllowed(locked, 'pay', locked.status === 'draft' ? 'issue it first' : `it is ${locked.status}`);
      if (locked.issuedAt && paidAt < locked.issuedAt) throw AppError.badInput('paidAt', `is before the invoice was issued (${locked.issuedAt.toISOString()})`);
      await this.audit.update(em, actor, Invoice, 'invoice', id, { status: 'paid', paidAt, paidRecordedBy: actor.userId }, { action: 'pay' });
    });
    return this.get(actor, id);
  }

  /**
   * Corrects an issued (or paid) invoice: a credit note (kind `credit_note`) with the invoice's
   * lines and totals negated, numbered in the same gapless series; the invoice becomes
   * `credited`, and each of its charges gets a re-issue copy — a new, uninvoiced charge linked
   * to it — so that a corrected invoice can be built for the period.
   */
  async creditNote(actor: Actor, id: string, dto: CreditNoteDto): Promise<InvoiceView> {
    await this.findManaged(actor, id);
    const creditId = await this.dataSource.transaction(async (em) => {
      const original = await this.lock(em, id);
      if (original.kind !== 'invoice') throw this.notAllowed(original, 'credit', 'a credit note is not credited itself');
      if (original.status !== 'issued' && original.status !== 'paid') throw this.notAllowed(original, 'credit', original.status === 'draft' ? 'a draft is discarded, not credited' : `it is ${original.status}`);
      const issuedAt = new Date();
      const center = await this.centerRow(em, original.centerId);
      const numbered = await this.nextNumber(em, center, issuedAt);
      const snapshot = original.snapshot ?? (await this.snapshot(em, original, center));
      const totals = negateTotals(original);
      const credit = await this.audit.insert(em, actor, Invoice, 'invoice', {
        kind: 'credit_note',
        centerId: original.centerId,
        organizationId: original.organizationId,
        periodStart: original.periodStart,
        periodEnd: original.periodEnd,
        status: 'issued',
        ...numbered,
        ...totals,
        lineCount: original.lineCount,
        dueDate: null,
        notes: null,
        snapshot,
        builtAt: issuedAt,
        builtBy: actor.userId,
        issuedAt,
        issuedBy: actor.userId,
        creditForId: original.id,
        creditReason: dto.reason.trim(),
      });
      await this.audit.update(em, actor, Invoice, 'invoice', id, { status: 'credited', creditedAt: issuedAt }, { action: 'credit' });
      // Re-issue copies: adjustments follow their (copied) original, so the copies add up as the invoice did.
      const copies = (await em.query(
        `WITH source AS (SELECT * FROM charges WHERE invoice_id = $1),
              ids AS (SELECT id AS old_id, gen_random_uuid() AS new_id FROM source)
         INSERT INTO charges (id, center_id, organization_id, project_id, equipment_id, kind, source_kind, source_id, source_line, description,
                              quantity, unit, minutes, unit_price, amount, tax_rate, occurred_at, adjusts_charge_id, reissue_of_id, reason, created_by)
         SELECT ids.new_id, s.center_id, s.organization_id, s.project_id, s.equipment_id, s.kind, 'reissue', s.id, 0, s.description,
                s.quantity, s.unit, s.minutes, s.unit_price, s.amount, s.tax_rate, s.occurred_at, coalesce(adjusted.new_id, s.adjusts_charge_id), s.id, s.reason, $2
           FROM source s JOIN ids ON ids.old_id = s.id LEFT JOIN ids adjusted ON adjusted.old_id = s.adjusts_charge_id
         ON CONFLICT ON CONSTRAINT uq_charges_source DO NOTHING
         RETURNING id`,
        [id, actor.userId],
      )) as { id: string }[];
      await this.audit.record(em, actor, { entity: 'invoice', entityId: id, action: 'charges_reissued', after: { creditNoteId: credit.id, chargeIds: copies.map((c) => c.id) } });
      await this.notify(em, actor, credit, snapshot);
      return credit.id;
    });
    return this.get(actor, creditId);
  }

  /** `GET /invoices/:id.pdf`: the document in the organization's language (or `lang`), from the stored totals. */
  async pdf(actor: Actor, id: string, lang?: DocumentLanguage): Promise<{ filename: string; stream: Readable }> {
    const invoice = await this.findVisible(actor, id, { withSnapshot: true });
    const document = await this.document(invoice, lang);
    const filename = `${invoice.kind === 'credit_note' ? 'credit-note' : 'invoice'}-${invoice.number ?? `draft-${invoice.id}`}.pdf`;
    return { filename, stream: streamOf((out) => renderInvoicePdf(document, out)) };
  }

  /**
   * What the PDF is drawn from, all read from stored rows: totals and tax per rate exactly as
   * stored (never recomputed here), lines from the charges, issuer and recipient as frozen at issue.
   * `invoice` comes with its snapshot column loaded.
   */
  private async document(invoice: Invoice, lang?: DocumentLanguage): Promise<InvoiceDocument> {
    const rows = await this.lineRows(invoice);
    const [view, context] = await Promise.all([this.view(invoice, rows), this.printContext(invoice, lang)]);
    const language = context.language;
    const recipientName = language === 'ja' ? (context.snapshot.recipient.organizationNameJa ?? context.snapshot.recipient.organizationName) : context.snapshot.recipient.organizationName;
    const lines = new Map(rows.map((row) => [row.id, row]));
    return {
      language,
      issuer: context.snapshot.issuer,
      recipient: { organizationName: recipientName, billingAddress: context.snapshot.recipient.billingAddress },
      kind: invoice.kind,
      number: invoice.number,
      creditFor: view.creditForNumber,
      status: invoice.status === 'discarded' ? 'draft' : invoice.status,
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      issuedAt: invoice.issuedAt,
      dueDate: invoice.dueDate,
      groups: view.groups.map((group) => ({
        projectCode: context.snapshot.projects[group.projectId]?.code ?? group.projectCode,
        projectName: context.snapshot.projects[group.projectId]?.name ?? group.projectName,
        subtotal: group.subtotal,
        lines: group.lines.map((line) => {
          const row = lines.get(line.chargeId);
          const equipmentName = row ? (language === 'ja' ? row.equipment_name_ja : row.equipment_name_en) : null;
          return {
            date: line.date,
            description: [KIND_LABELS[language][line.kind], equipmentName, line.description].filter(Boolean).join(' '),
            quantity: line.quantity,
            unit: line.unit,
            unitPrice: line.unitPrice,
            amount: line.amount,
            taxRate: line.taxRate,
          };
        }),
      })),
      taxes: invoice.taxes,
      subtotal: invoice.subtotal,
      tax: invoice.tax,
      total: invoice.total,
      generatedAt: invoice.issuedAt ?? invoice.builtAt,
    };
  }

  // ------------------------------------------------------------------ visibility and state

  /** Members see their organization's issued documents (never drafts), staff their centers', admins all. */
  private visible(actor: Actor, alias: string): SelectQueryBuilder<Invoice> {
    const qb = billingScope(this.invoices, alias, actor);
    if (actor.role === 'member') qb.andWhere(`${alias}.status NOT IN (:...staffOnly)`, { staffOnly: STAFF_ONLY_STATUSES });
    return qb;
  }

  private async findVisible(actor: Actor, id: string, options: { withSnapshot?: boolean } = {}): Promise<Invoice> {
    const qb = this.visible(actor, 'i').andWhere('i.id = :id', { id });
    if (options.withSnapshot) qb.addSelect('i.snapshot');
    const invoice = await qb.getOne();
    if (!invoice) throw AppError.notFound('invoice', id);
    return invoice;
  }

  /** An invoice the caller may change: visible, and of a center they manage. */
  private async findManaged(actor: Actor, id: string): Promise<Invoice> {
    const invoice = await this.findVisible(actor, id);
    if (!canManageCenter(actor, invoice.centerId)) throw AppError.forbidden('Only staff of the center may change its invoices');
    return invoice;
  }

  /** The invoice row, snapshot included, locked for the rest of the caller's transaction. */
  private async lock(em: EntityManager, id: string): Promise<Invoice> {
    const invoice = await em.createQueryBuilder(Invoice, 'i').addSelect('i.snapshot').where('i.id = :id', { id }).setLock('pessimistic_write').getOne();
    if (!invoice) throw AppError.notFound('invoice', id);
    return invoice;
  }

  private notAllowed(invoice: Invoice, action: string, why: string): AppError {
    return new AppError('invalid-transition', `Cannot ${action} ${this.label(invoice)}: ${why}`, [{ field: 'status', message: `is ${invoice.status}` }], {
      currentStatus: invoice.status,
    });
  }

  /** An edit of an issued document: a 409 naming every field the client tried to change. */
  private frozen(invoice: Invoice, fields: string[]): AppError {
    const message = `cannot change: ${this.label(invoice)} is ${invoice.status}; an issued invoice is never edited (correct it with a credit note)`;
    return new AppError('conflict', `${this.label(invoice)} is ${invoice.status} and never edited; correct it with a credit note`, fields.map((field) => ({ field, message })), {
      currentStatus: invoice.status,
    });
  }

  private label(invoice: Invoice): string {
    return `${invoice.kind === 'credit_note' ? 'credit note' : 'invoice'} ${invoice.number ?? invoice.id}`;
  }

  // ------------------------------------------------------------------ building blocks

  private periodOf(dto: CreateInvoiceDto): { periodStart: string; periodEnd: string } {
    if (dto.period !== undefined) {
      if (dto.periodStart !== undefined || dto.periodEnd !== undefined) throw AppError.badInput('period', 'send either period (YYYY-MM) or periodStart and periodEnd, not both');
      return monthPeriod(dto.period);
    }
    const { periodStart, periodEnd } = dto as Required<Pick<CreateInvoiceDto, 'periodStart' | 'periodEnd'>>;
    if (periodEnd < periodStart) throw AppError.badInput('periodEnd', 'must not be before periodStart');
    if (daysBetween(periodStart, periodEnd) >= MAX_PERIOD_DAYS) throw AppError.badInput('periodEnd', `a period covers at most ${MAX_PERIOD_DAYS} days`);
    return { periodStart, periodEnd };
  }

  /** A payment cannot fall due before the period it pays for has ended; the same rule for a new draft and an edit. */
  private checkDueDate(dueDate: string, periodEnd: string): void {
    if (dueDate < periodEnd) throw AppError.badInput('dueDate', `must not be before the period ends (${periodEnd})`);
  }

  /** The center invoicing: as given, or the staff member's only center. */
  private issuingCenter(actor: Actor, centerId: string | undefined): string {
    if (centerId) return centerId;
    if (actor.role === 'staff' && actor.centerIds.length === 1) return actor.centerIds[0];
    throw AppError.badInput('centerId', 'is required (you work for several centers, or none)');
  }

  /** A friendly 409 before the exclusion constraint (`ex_invoices_period`, the guarantee under concurrency) would answer. */
  private async refuseOverlap(organizationId: string, centerId: string, periodStart: string, periodEnd: string): Promise<void> {
    const [existing] = (await this.dataSource.query(
      `SELECT id, status, number, to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end FROM invoices
        WHERE organization_id = $1 AND center_id = $2 AND kind = 'invoice' AND status IN ('draft','issued','paid')
          AND daterange(period_start, period_end, '[]') && daterange($3::date, $4::date, '[]')
        LIMIT 1`,
      [organizationId, centerId, periodStart, periodEnd],
    )) as { id: string; status: string; number: string | null; period_start: string; period_end: string }[];
    if (existing) {
      throw AppError.conflict(
        `This period is already invoiced: ${existing.number ?? 'a draft'} (${existing.status}) covers ${existing.period_start} to ${existing.period_end}; discard the draft or credit the invoice first`,
        'periodStart',
        { invoiceId: existing.id },
      );
    }
  }

  /** The issuing center as it is now: for the number's fiscal year and the frozen issuer. */
  private async centerRow(em: EntityManager, centerId: string): Promise<CenterRow> {
    const [center] = (await em.query('SELECT * FROM centers WHERE id = $1', [centerId])) as CenterRow[];
    return center;
  }

  /** The next number of the center's fiscal year, taken under the counter row's lock in the caller's transaction. */
  private async nextNumber(em: EntityManager, center: CenterRow, at: Date): Promise<{ number: string; fiscalYear: number; sequence: number }> {
    const fiscalYear = fiscalYearOf(at, center.timezone, center.fiscal_year_start_month);
    const [{ last_value: sequence }] = (await em.query(
      `INSERT INTO invoice_counters (center_id, fiscal_year, last_value) VALUES ($1, $2, 1)
       ON CONFLICT (center_id, fiscal_year) DO UPDATE SET last_value = invoice_counters.last_value + 1
       RETURNING last_value`,
      [center.id, fiscalYear],
    )) as { last_value: number }[];
    return { number: invoiceNumber(center.code, fiscalYear, sequence), fiscalYear, sequence };
  }

  /** Issuer and recipient as they are now: frozen into the invoice when it is issued. */
  private async snapshot(em: EntityManager, invoice: Invoice, center?: CenterRow): Promise<InvoiceSnapshot> {
    // One after the other: queries on the transaction's connection cannot overlap.
    center ??= await this.centerRow(em, invoice.centerId);
    const [organization] = (await em.query('SELECT name, name_ja, billing_address FROM organizations WHERE id = $1', [invoice.organizationId])) as {
      name: string;
      name_ja: string | null;
      billing_address: string | null;
    }[];
    const projects = (await em.query(`SELECT DISTINCT p.id, p.code, p.name FROM projects p JOIN charges c ON c.project_id = p.id WHERE c.invoice_id = $1`, [
      invoice.kind === 'credit_note' ? invoice.creditForId : invoice.id,
    ])) as { id: string; code: string; name: string }[];
    return {
      issuer: this.issuerOf(center),
      recipient: { organizationName: organization.name, organizationNameJa: organization.name_ja, billingAddress: organization.billing_address },
      projects: Object.fromEntries(projects.map((p) => [p.id, { code: p.code, name: p.name }])),
    };
  }

  private issuerOf(center: CenterRow): DocumentIssuer {
    return {
      centerCode: center.code,
      nameJa: center.name_ja,
      nameEn: center.name_en,
      address: center.address,
      contactEmail: center.contact_email,
      registrationNumber: center.invoice_registration_number,
      timezone: center.timezone,
    };
  }

  /** Mails every active member of the organization through the outbox: sent once the issue commits, never before. */
  private async notify(em: EntityManager, actor: Actor, invoice: Invoice, snapshot: InvoiceSnapshot): Promise<void> {
    const members = (await em.query(`SELECT email FROM users WHERE organization_id = $1 AND role = 'member' AND active ORDER BY email`, [invoice.organizationId])) as { email: string }[];
    for (const member of members) {
      await this.outbox.add(
        em,
        JobName.SendMail,
        {
          to: member.email,
          template: 'invoice-issued',
          data: {
            number: invoice.number ?? '',
            kind: invoice.kind,
            total: formatYen(invoice.total),
            dueDate: invoice.dueDate ?? '',
            invoiceId: invoice.id,
            organization: snapshot.recipient.organizationNameJa ?? snapshot.recipient.organizationName,
          },
        },
        actor.requestId,
      );
    }
  }

  /** Lines (a credit note: its invoice's, negated) grouped by project code, with names. */
  private async view(invoice: Invoice, lineRows?: LineRow[]): Promise<InvoiceView> {
    const [rows, context] = await Promise.all([lineRows ?? this.lineRows(invoice), this.names(invoice)]);
    const sign = invoice.kind === 'credit_note' ? negate : (value: number) => value;
    const groups = new Map<string, InvoiceGroupView>();
    for (const row of rows) {
      let group = groups.get(row.project_id);
      if (!group) groups.set(row.project_id, (group = { projectId: row.project_id, projectCode: row.project_code, projectName: row.project_name, lines: [], subtotal: 0 }));
      const amount = sign(Number(row.amount));
      group.lines.push({
        chargeId: row.id,
        date: row.local_date,
        kind: row.kind,
        description: row.description,
        equipmentId: row.equipment_id,
        equipmentCode: row.equipment_code,
        quantity: invoice.kind === 'credit_note' ? negateQuantity(row.quantity) : row.quantity,
        unit: row.unit,
        unitPrice: row.unit_price === null ? null : Number(row.unit_price),
        amount,
        taxRate: row.tax_rate,
      });
      group.subtotal += amount;
    }
    return Object.assign(invoice, { ...context, groups: [...groups.values()] });
  }

  private lineRows(invoice: Invoice): Promise<LineRow[]> {
    return this.dataSource.query(
      `SELECT c.id, c.kind, c.description, c.quantity::text AS quantity, c.unit, c.unit_price::text AS unit_price, c.amount::text AS amount, c.tax_rate,
              to_char(c.occurred_at AT TIME ZONE ct.timezone, 'YYYY-MM-DD') AS local_date,
              c.equipment_id, e.code AS equipment_code, e.name_ja AS equipment_name_ja, e.name_en AS equipment_name_en,
              c.project_id, p.code AS project_code, p.name AS project_name
         FROM charges c
         JOIN centers ct ON ct.id = c.center_id
         JOIN projects p ON p.id = c.project_id
         LEFT JOIN equipment e ON e.id = c.equipment_id
        WHERE c.invoice_id = $1
        ORDER BY p.code, p.id, c.occurred_at, c.kind, c.id`,
      [invoice.kind === 'credit_note' ? invoice.creditForId : invoice.id],
    ) as Promise<LineRow[]>;
  }

  private async names(invoice: Invoice): Promise<Pick<InvoiceView, 'centerCode' | 'organizationName' | 'creditForNumber' | 'creditNoteId'>> {
    const [row] = (await this.dataSource.query(
      `SELECT ct.code AS center_code, o.name AS organization_name,
              (SELECT number FROM invoices WHERE id = $4) AS credit_for_number,
              (SELECT id FROM invoices WHERE credit_for_id = $3) AS credit_note_id
         FROM centers ct, organizations o WHERE ct.id = $1 AND o.id = $2`,
      [invoice.centerId, invoice.organizationId, invoice.id, invoice.creditForId],
    )) as { center_code: string; organization_name: string; credit_for_number: string | null; credit_note_id: string | null }[];
    return { centerCode: row.center_code, organizationName: row.organization_name, creditForNumber: row.credit_for_number, creditNoteId: row.credit_note_id };
  }

  /**
   * What printing needs beyond the view: the frozen (or, for a draft, current) issuer and
   * recipient, and the language asked for or else the organization's.
   */
  private async printContext(invoice: Invoice, lang?: DocumentLanguage): Promise<{ snapshot: InvoiceSnapshot; language: DocumentLanguage }> {
    const [snapshot, language] = await Promise.all([
      invoice.snapshot ?? this.snapshot(this.dataSource.manager, invoice),
      lang ??
        (this.dataSource.query('SELECT language FROM organizations WHERE id = $1', [invoice.organizationId]) as Promise<{ language: DocumentLanguage }[]>).then(([o]) => o.language),
    ]);
    return { snapshot, language };
  }
}
