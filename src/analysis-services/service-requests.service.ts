import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { BillingService } from '../billing/billing.service';
import { Center } from '../centers/center.entity';
import { CentersService } from '../centers/centers.service';
import { Actor, canManageCenter, SYSTEM_ACTOR } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { formatYen, lineAmount, taxByRate } from '../common/money/consumption-tax';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { findScopedOrFail, scopedQuery } from '../common/tenancy/tenant-scope';
import { todayIn } from '../common/time/today';
import { DatasetsService } from '../datasets/datasets.service';
import { JobName } from '../infra/queue/queue-name';
import { OrganizationsService } from '../organizations/organizations.service';
import { OutboxService } from '../outbox/outbox.service';
import { ProjectsService } from '../projects/projects.service';
import { SampleActionsService } from '../samples/sample-actions.service';
import { SamplesService } from '../samples/samples.service';
import { UsersService } from '../users/users.service';
import {
  AcceptQuoteDto,
  AmendReportDto,
  CreateServiceRequestDto,
  DeliverReportDto,
  OptionalReasonDto,
  QuoteServiceRequestDto,
  ReasonDto,
  ReceiveSamplesDto,
  RecordResultsDto,
  ServiceRequestQueryDto,
} from './dto/service-request.dto';
import { ServiceCatalogueService } from './service-catalogue.service';
import { ReportSources, ServiceDocumentsService } from './service-documents.service';
import { ServiceQuote, ServiceQuoteLine } from './service-quote.entity';
import { ServiceReport } from './service-report.entity';
import {
  allowedServiceRequestActions,
  CLIENT_CANCELLABLE,
  OPEN_STATUSES,
  SERVICE_REQUEST_TRANSITIONS,
  ServiceRequestAction,
  ServiceRequestParty,
  STATUS_JA,
} from './service-request-lifecycle';
import { ServiceRequest, ServiceRequestItem, ServiceRequestSample, ServiceRequestStatusChange } from './service-request.entity';

export type QuoteView = ServiceQuote & { lines: ServiceQuoteLine[] };

export type ServiceRequestView = ServiceRequest & {
  items: (ServiceRequestItem & { code: string; nameJa: string; nameEn: string; unit: string })[];
  /** The quote in force (the latest revision), if any. */
  quote: QuoteView | null;
  sampleIds: string[];
  reports: ServiceReport[];
  allowedActions: ServiceRequestAction[];
};

/**
 * Who hears of an action on a request, read before its transaction opens (code holding the
 * request's lock never waits for a second pooled connection).
 */
interface Audience {
  center: Center;
  /** The requester's address; null when the request was filed by an API key without a user. */
  requesterEmail: string | null;
  /** The center's contact address and the client's name, when the center is told of this action. */
  centerDesk: { email: string; organization: string } | null;
}

type ActionWork = (em: EntityManager, locked: ServiceRequest, audience: Audience) => Promise<{ changes: Partial<ServiceRequest>; note?: string }>;

/** Samples not in one of these states have not physically arrived at the center. */
const NOT_RECEIVED_STATES = ['expected', 'cancelled', 'rejected'];

/**
 * Analysis service requests from submission to the signed report. Every action locks the
 * request, checks the status machine (`service-request-lifecycle.ts`) and the party allowed to
 * take it, and writes the change, its timeline entry, its audit entry and its notification in
 * one transaction.
 */
@Injectable()
export class ServiceRequestsService implements OnModuleInit {
  constructor(
    @InjectRepository(ServiceRequest) private readonly requests: Repository<ServiceRequest>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalogue: ServiceCatalogueService,
    private readonly documents: ServiceDocumentsService,
    private readonly centers: CentersService,
    private readonly organizations: OrganizationsService,
    private readonly projects: ProjectsService,
    private readonly users: UsersService,
    private readonly samples: SamplesService,
    private readonly sampleActions: SampleActionsService,
    private readonly datasets: DatasetsService,
    private readonly billing: BillingService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
  ) {}

  /** Samples of a request still being worked on stay at the center. */
  onModuleInit(): void {
    this.sampleActions.registerShipmentGuard(async (em, sampleIds) => {
      const [open] = (await em.query(
        `SELECT r.code FROM service_request_samples rs JOIN service_requests r ON r.id = rs.request_id
          WHERE rs.sample_id = ANY($1) AND r.status = ANY($2) ORDER BY r.code LIMIT 1`,
        [sampleIds, OPEN_STATUSES],
      )) as { code: string }[];
      return open ? `A sample is part of the open service request ${open.code}; deliver, close or cancel it first` : null;
    });
  }

  async list(actor: Actor, query: ServiceRequestQueryDto): Promise<Page<ServiceRequest & { allowedActions: ServiceRequestAction[] }>> {
    const qb = scopedQuery(this.requests, 'r', actor);
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.centerId) qb.andWhere('r.center_id = :centerId', { centerId: query.centerId });
    if (query.organizationId) qb.andWhere('r.organization_id = :organizationId', { organizationId: query.organizationId });
    if (query.projectId) qb.andWhere('r.project_id = :projectId', { projectId: query.projectId });
    const page = await this.cursors.paginate(
      qb,
      [
        { column: 'r.created_at', value: (r) => r.createdAt.toISOString(), direction: 'DESC' },
        { column: 'r.id', value: (r) => r.id, direction: 'DESC' },
      ],
      query,
    );
    return { ...page, items: page.items.map((r) => Object.assign(r, { allowedActions: this.allowedFor(actor, r) })) };
  }

  find(actor: Actor, id: string): Promise<ServiceRequest> {
    return findScopedOrFail(this.requests, actor, id, 'service request');
  }

  async get(actor: Actor, id: string): Promise<ServiceRequestView> {
    return this.view(actor, await this.find(actor, id));
  }

  /** The requester's timeline: every action on the request, oldest first. */
  async timeline(actor: Actor, id: string): Promise<ServiceRequestStatusChange[]> {
    await this.find(actor, id);
    return this.dataSource.getRepository(ServiceRequestStatusChange).find({ where: { requestId: id }, order: { id: 'ASC' } });
  }

  async create(actor: Actor, dto: CreateServiceRequestDto): Promise<ServiceRequestView> {
    const center = await this.centers.requireExisting(actor, dto.centerId);
    const project = await this.projects.get(actor, dto.projectId).catch(() => {
      throw AppError.badInput('projectId', 'no such project');
    });
    if (!project.active) throw AppError.badInput('projectId', 'the project is not active');
    if (actor.role === 'staff' && !canManageCenter(actor, dto.centerId)) throw AppError.forbidden('Staff file requests only for their own centers');
    await this.catalogue.requireOffered(dto.centerId, dto.items.map((i) => i.serviceId), (index) => `items[${index}].serviceId`);
    // A new request is news for the center.
    const audience: Audience = { center, requesterEmail: null, centerDesk: await this.centerDeskOf(center, project.organizationId) };

    const id = await this.dataSource.transaction(async (em) => {
      const code = await this.allocateCode(em, center);
      const request = await this.audit.insert(em, actor, ServiceRequest, 'service_request', {
        code,
        centerId: dto.centerId,
        organizationId: project.organizationId,
        projectId: project.id,
        requesterId: actor.userId,
        status: 'submitted',
        sampleCount: dto.sampleCount,
        sampleDescription: dto.sampleDescription,
        deadline: dto.deadline ?? null,
        notes: dto.notes ?? null,
        hazardDeclaration: dto.hazardDeclaration ?? null,
        poNumber: project.poNumber ?? null,
        createdBy: actor.userId,
      });
      await em.insert(ServiceRequestItem, dto.items.map((item, position) => ({ requestId: request.id, position, serviceId: item.serviceId, quantity: item.quantity })));
      await this.recordChange(em, actor, request, null, 'submitted', null);
      await this.notifyCenter(em, audience, request, null);
      return request.id;
    });
    return this.get(actor, id);
  }

  /**
   * Staff price the request: one line per requested service at the project's rate category,
   * then the manual lines (extra preparation, discounts); tax once per rate over the quote.
   * Quoting again supersedes the quote in force with the next revision.
   */
  async quote(actor: Actor, id: string, dto: QuoteServiceRequestDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'quote');
    const audience = await this.audienceOf(actor, request);
    const today = todayIn(audience.center.timezone);
    if (dto.validUntil < today) throw AppError.badInput('validUntil', `is in the past (today is ${today})`);
    const [project, organization, items] = await Promise.all([
      this.projects.get(actor, request.projectId),
      this.organizations.get(actor, request.organizationId),
      this.dataSource.getRepository(ServiceRequestItem).find({ where: { requestId: id }, order: { position: 'ASC' } }),
    ]);
    const services = await this.catalogue.byIds(items.map((i) => i.serviceId));
    const japanese = organization.language === 'ja';
    const lines: Omit<ServiceQuoteLine, 'quoteId'>[] = [
      ...items.map((item) => {
        const service = services.get(item.serviceId)!;
        const unitPrice = service.prices[project.rateCategory];
        return {
          position: 0,
          serviceId: service.id,
          description: `${service.code} ${japanese ? service.nameJa : service.nameEn}`,
          quantity: String(item.quantity),
          unit: service.unit,
          unitPrice,
          discount: false,
          amount: lineAmount(item.quantity, unitPrice),
        };
      }),
      ...(dto.lines ?? []).map((line) => ({
        position: 0,
        serviceId: null,
        description: line.description,
        quantity: line.quantity.toFixed(2).replace(/\.?0+$/, ''),
        unit: line.unit ?? null,
        unitPrice: line.unitPrice,
        discount: line.discount === true,
        amount: (line.discount ? -1 : 1) * lineAmount(line.quantity, line.unitPrice),
      })),
    ].map((line, position) => ({ ...line, position }));
    const totals = taxByRate(lines.map((l) => ({ amount: l.amount, taxRate: dto.taxRate })));
    if (totals.subtotal < 0) throw AppError.badInput('lines', 'the discounts exceed the quoted amount');

    return this.act(actor, request, 'quote', { reason: null }, audience, async (em, locked) => {
      const [last] = (await em.query('SELECT coalesce(max(revision), 0)::int AS revision FROM service_quotes WHERE request_id = $1', [id])) as { revision: number }[];
      await em.update(ServiceQuote, { requestId: id, supersededAt: IsNull() }, { supersededAt: new Date() });
      const revision = last.revision + 1;
      const quote = await this.audit.insert(em, actor, ServiceQuote, 'service_quote', {
        requestId: id,
        revision,
        number: `${locked.code}-Q${revision}`,
        rateCategory: project.rateCategory,
        taxRate: dto.taxRate,
        validUntil: dto.validUntil,
        subtotal: totals.subtotal,
        tax: totals.tax,
        total: totals.total,
        notes: dto.notes ?? null,
        issuedBy: actor.userId,
      });
      await em.insert(ServiceQuoteLine, lines.map((line) => ({ ...line, quoteId: quote.id })));
      await this.notify(em, audience, 'quote-issued', {
        code: locked.code,
        quoteNumber: quote.number,
        total: formatYen(quote.total),
        validUntil: quote.validUntil,
        requestId: locked.id,
      });
      return { changes: {}, note: `quote ${quote.number}: ${formatYen(quote.total)}` };
    });
  }

  /**
   * The requesting organization accepts the quote in force, if it is still valid. With
   * `revision`, only if that is still the quote in force: a requote the client has not seen is
   * never accepted in its place.
   */
  async accept(actor: Actor, id: string, dto: AcceptQuoteDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'accept');
    return this.act(actor, request, 'accept', { reason: null }, null, async (em, locked, audience) => {
      const quote = await em.findOneOrFail(ServiceQuote, { where: { requestId: id, supersededAt: IsNull() } });
      if (dto.revision !== undefined && dto.revision !== quote.revision) {
        throw AppError.conflict(`Quote revision ${dto.revision} is no longer in force: ${quote.number} (revision ${quote.revision}) replaced it; read it and accept that one`, 'revision', {
          currentRevision: quote.revision,
        });
      }
      const today = todayIn(audience.center.timezone);
      if (quote.validUntil < today) {
        throw new AppError('policy-violation', `Quote ${quote.number} expired on ${quote.validUntil}; ask the center for a new quote`, [
          { field: 'validUntil', message: `expired on ${quote.validUntil}` },
        ]);
      }
      return {
        changes: { acceptedBy: actor.userId, acceptedAt: new Date(), poNumber: dto.poNumber ?? locked.poNumber },
        note: `accepted ${quote.number}${dto.poNumber ? `, PO ${dto.poNumber}` : ''}`,
      };
    });
  }

  async reject(actor: Actor, id: string, dto: ReasonDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'reject');
    return this.act(actor, request, 'reject', { reason: dto.reason }, null, async () => ({ changes: { statusReason: dto.reason } }));
  }

  /**
   * Links registered samples of the requesting organization that the center has received (the
   * sample module's `received` event). The linked count must match the declared count unless
   * the difference is recorded as a deviation.
   */
  async receive(actor: Actor, id: string, dto: ReceiveSamplesDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'receive');
    const found = new Map((await this.samples.findWithReceipts(actor, dto.sampleIds)).map((s) => [s.id, s]));
    dto.sampleIds.forEach((sampleId, index) => {
      const sample = found.get(sampleId);
      const field = `sampleIds[${index}]`;
      if (!sample) throw AppError.badInput(field, 'no such sample');
      if (sample.organizationId !== request.organizationId) throw AppError.badInput(field, 'belongs to another organization than the request');
      if (sample.centerId !== request.centerId) throw AppError.badInput(field, 'is registered at another center');
      if (NOT_RECEIVED_STATES.includes(sample.state) || !sample.receivedAt) throw AppError.badInput(field, `${sample.code} has not been received at the center (it is ${sample.state})`);
    });
    return this.act(actor, request, 'receive', { reason: dto.deviation ?? null }, null, async (em, locked) => {
      await em.createQueryBuilder().insert().into(ServiceRequestSample).values(dto.sampleIds.map((sampleId) => ({ requestId: id, sampleId, receivedBy: actor.userId }))).orIgnore().execute();
      const [{ count }] = (await em.query('SELECT count(*)::int AS count FROM service_request_samples WHERE request_id = $1', [id])) as { count: number }[];
      if (count !== locked.sampleCount && !dto.deviation) {
        throw new AppError('policy-violation', `${count} sample(s) linked, ${locked.sampleCount} declared; record the difference as a deviation to go on`, [
          { field: 'sampleIds', message: `${count} linked, ${locked.sampleCount} declared` },
        ]);
      }
      const deviations = dto.deviation ? [...locked.deviations, dto.deviation] : locked.deviations;
      return { changes: { deviations }, note: `${count} of ${locked.sampleCount} sample(s) received` };
    });
  }

  async start(actor: Actor, id: string): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'start');
    return this.act(actor, request, 'start', { reason: null }, null, async () => ({ changes: {} }));
  }

  /** Results are ready once at least one dataset of the request is named. */
  async results(actor: Actor, id: string, dto: RecordResultsDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'results');
    await this.requireOwnDatasets(id, dto.datasetIds);
    return this.act(actor, request, 'results', { reason: null }, null, async (_em, locked) => ({
      changes: {
        resultDatasetIds: dto.datasetIds,
        resultsSummary: dto.summary ?? locked.resultsSummary,
        deviations: [...locked.deviations, ...(dto.deviations ?? [])],
      },
      note: `${dto.datasetIds.length} dataset(s)`,
    }));
  }

  /** Results go back to work, with the reason (a re-measurement, a failed check). */
  async reopen(actor: Actor, id: string, dto: ReasonDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'reopen');
    return this.act(actor, request, 'reopen', { reason: dto.reason }, null, async () => ({ changes: { statusReason: dto.reason } }));
  }

  /**
   * Approves and delivers the report: the signer re-enters the password (21 CFR 11 §11.200),
   * the content is frozen as revision 1 with the signature (name, time, meaning), the quoted
   * lines become charges, and the worker renders the PDF.
   */
  async deliver(actor: Actor, id: string, dto: DeliverReportDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'deliver');
    const signer = await this.confirmSigner(actor, dto.password);
    if (!request.resultDatasetIds.length) {
      throw new AppError('invalid-transition', 'A report needs at least one dataset; record the results first', [{ field: 'datasetIds', message: 'no datasets recorded' }]);
    }
    const sources = await this.documents.reportSources(request);
    return this.act(actor, request, 'deliver', { reason: null }, null, async (em, locked, audience) => {
      const report = await this.issueReport(em, actor, locked, { signer, sources, audience }, null);
      await this.chargeQuote(em, actor, locked);
      return { changes: {}, note: `report ${report.revisionId}` };
    });
  }

  /**
   * Amends a delivered report (ISO/IEC 17025 §7.8.8): the report in force is invalidated with
   * the reason and a new revision, signed again, says which one it replaces and what changed.
   */
  async amend(actor: Actor, id: string, dto: AmendReportDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'amend');
    const signer = await this.confirmSigner(actor, dto.password);
    if (dto.datasetIds) await this.requireOwnDatasets(id, dto.datasetIds);
    const sources = await this.documents.reportSources(request);
    return this.act(actor, request, 'amend', { reason: dto.reason }, null, async (em, locked, audience) => {
      const current = await em.findOneOrFail(ServiceReport, { where: { requestId: id, invalidatedAt: IsNull() }, order: { revision: 'DESC' } });
      await em.update(ServiceReport, { id: current.id }, { invalidatedAt: new Date(), invalidationReason: dto.reason });
      const amended = Object.assign(locked, {
        resultDatasetIds: dto.datasetIds ?? locked.resultDatasetIds,
        resultsSummary: dto.summary ?? locked.resultsSummary,
      });
      await em.update(ServiceRequest, { id }, { resultDatasetIds: amended.resultDatasetIds, resultsSummary: amended.resultsSummary });
      const report = await this.issueReport(em, actor, amended, { signer, sources, audience }, { report: current, reason: dto.reason });
      return { changes: {}, note: `report ${report.revisionId} replaces ${current.revisionId}` };
    });
  }

  async close(actor: Actor, id: string, dto: OptionalReasonDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'close');
    return this.act(actor, request, 'close', { reason: dto.reason ?? null }, null, async () => ({ changes: {} }));
  }

  async cancel(actor: Actor, id: string, dto: ReasonDto): Promise<ServiceRequestView> {
    const request = await this.find(actor, id);
    this.assertAllowed(actor, request, 'cancel');
    return this.act(actor, request, 'cancel', { reason: dto.reason }, null, async () => ({ changes: { statusReason: dto.reason } }));
  }

  // ------------------------------------------------------------------ the action frame

  /**
   * Runs one action in a transaction: locks the request, checks the status again (another
   * action may have won the race since the caller looked), applies the action's own work and
   * changes, and records the timeline entry, the audit entry and the status notification. Who
   * is told is read before the transaction opens (`audience`, unless the caller already has it).
   */
  private async act(
    actor: Actor,
    request: ServiceRequest,
    action: ServiceRequestAction,
    entry: { reason: string | null },
    audience: Audience | null,
    work: ActionWork,
  ): Promise<ServiceRequestView> {
    const told = audience ?? (await this.audienceOf(actor, request));
    await this.dataSource.transaction(async (em) => {
      const locked = await em.findOneOrFail(ServiceRequest, { where: { id: request.id }, lock: { mode: 'pessimistic_write' } });
      this.assertAllowed(actor, locked, action);
      const target = SERVICE_REQUEST_TRANSITIONS[action].to;
      const to = target === 'same' ? locked.status : target;
      const { changes, note } = await work(em, locked, told);
      await this.audit.update(em, actor, ServiceRequest, 'service_request', request.id, { ...changes, status: to }, { action });
      await this.recordChange(em, actor, locked, locked.status, to, [note, entry.reason].filter(Boolean).join(' — ') || null);
      if (to !== locked.status) {
        await this.notify(em, told, 'service-request-status', {
          code: locked.code,
          status: to,
          statusJa: STATUS_JA[to],
          reason: entry.reason ?? '',
          requestId: locked.id,
          centerJa: told.center.nameJa,
          center: told.center.nameEn,
        });
        await this.notifyCenter(em, told, { ...locked, status: to }, entry.reason);
      }
    });
    return this.get(actor, request.id);
  }

  /**
   * The request's center, the requester's address and, when the client acts (accept, reject,
   * cancel, close: news for the center), the center's contact address with the client's name.
   */
  private async audienceOf(actor: Actor, request: ServiceRequest): Promise<Audience> {
    const [center, requester] = await Promise.all([
      this.centers.get(SYSTEM_ACTOR, request.centerId),
      request.requesterId ? this.users.contactOf(request.requesterId) : null,
    ]);
    const centerDesk = this.partyOf(actor, request) === 'client' ? await this.centerDeskOf(center, request.organizationId) : null;
    return { center, requesterEmail: requester?.email ?? null, centerDesk };
  }

  private async centerDeskOf(center: Center, organizationId: string): Promise<Audience['centerDesk']> {
    if (!center.contactEmail) return null;
    const organization = await this.organizations.get(SYSTEM_ACTOR, organizationId);
    return { email: center.contactEmail, organization: organization.name };
  }

  /** Who the caller is to this request: its center's staff, the requesting organization, or neither. */
  private partyOf(actor: Actor, request: ServiceRequest): ServiceRequestParty | null {
    if (canManageCenter(actor, request.centerId)) return 'center';
    if (actor.role === 'member' && actor.organizationId === request.organizationId) return 'client';
    return null;
  }

  private allowedFor(actor: Actor, request: ServiceRequest): ServiceRequestAction[] {
    const party = this.partyOf(actor, request);
    return party ? allowedServiceRequestActions(request.status, party) : [];
  }

  private assertAllowed(actor: Actor, request: ServiceRequest, action: ServiceRequestAction): void {
    const party = this.partyOf(actor, request);
    const transition = SERVICE_REQUEST_TRANSITIONS[action];
    if (!party || !transition.by.includes(party)) {
      throw AppError.forbidden(
        transition.by.includes('client') && !transition.by.includes('center')
          ? `Only the requesting organization may ${action} this request`
          : `Only staff of the request's center may ${action} it`,
      );
    }
    const allowed = allowedServiceRequestActions(request.status, party);
    if (!allowed.includes(action)) {
      const why = action === 'cancel' && party === 'client' && !CLIENT_CANCELLABLE.includes(request.status) ? '; the center has your samples: ask it to cancel' : '';
      throw new AppError(
        'invalid-transition',
        `Cannot ${action} ${request.code}: it is ${request.status}${why}; allowed now: ${allowed.length ? allowed.join(', ') : 'none'}`,
        [{ field: 'status', message: `is ${request.status}` }],
        { currentStatus: request.status, allowedActions: allowed },
      );
    }
  }

  private async recordChange(em: EntityManager, actor: Actor, request: ServiceRequest, from: ServiceRequest['status'] | null, to: ServiceRequest['status'], reason: string | null): Promise<void> {
    await em.insert(ServiceRequestStatusChange, {
      requestId: request.id,
      fromStatus: from,
      toStatus: to,
      reason,
      actorId: actor.kind === 'system' ? null : actor.id,
      actorRole: actor.kind === 'system' ? null : actor.role,
    });
  }

  /** A notification to the requester (nobody when the request was filed by an API key without a user). */
  private async notify(em: EntityManager, audience: Audience, template: 'service-request-status' | 'quote-issued' | 'report-ready', data: Record<string, string>): Promise<void> {
    if (audience.requesterEmail) await this.outbox.add(em, JobName.SendMail, { to: audience.requesterEmail, template, data });
  }

  /** A notification to the center's contact address, when it is told of this action: a new request, or the client's decision. */
  private async notifyCenter(em: EntityManager, audience: Audience, request: ServiceRequest, reason: string | null): Promise<void> {
    if (!audience.centerDesk) return;
    await this.outbox.add(em, JobName.SendMail, {
      to: audience.centerDesk.email,
      template: 'service-request-for-center',
      data: {
        code: request.code,
        status: request.status,
        statusJa: STATUS_JA[request.status],
        reason: reason ?? '',
        requestId: request.id,
        organization: audience.centerDesk.organization,
        centerJa: audience.center.nameJa,
        center: audience.center.nameEn,
      },
    });
  }

  // ------------------------------------------------------------------ helpers

  private async view(actor: Actor, request: ServiceRequest): Promise<ServiceRequestView> {
    const [items, quote, samples, reports] = await Promise.all([
      this.dataSource.getRepository(ServiceRequestItem).find({ where: { requestId: request.id }, order: { position: 'ASC' } }),
      this.dataSource.getRepository(ServiceQuote).findOne({ where: { requestId: request.id, supersededAt: IsNull() } }),
      this.dataSource.getRepository(ServiceRequestSample).find({ where: { requestId: request.id }, order: { receivedAt: 'ASC', sampleId: 'ASC' } }),
      this.dataSource.getRepository(ServiceReport).find({ where: { requestId: request.id }, order: { revision: 'ASC' } }),
    ]);
    const services = await this.catalogue.byIds(items.map((i) => i.serviceId));
    const lines = quote ? await this.dataSource.getRepository(ServiceQuoteLine).find({ where: { quoteId: quote.id }, order: { position: 'ASC' } }) : [];
    return Object.assign(request, {
      items: items.map((item) => {
        const service = services.get(item.serviceId)!;
        return { ...item, code: service.code, nameJa: service.nameJa, nameEn: service.nameEn, unit: service.unit };
      }),
      quote: quote ? Object.assign(quote, { lines }) : null,
      sampleIds: samples.map((s) => s.sampleId),
      reports,
      allowedActions: this.allowedFor(actor, request),
    });
  }

  /** `<CENTER>-SR-<YY>-<seq>`: the counter row is updated in the transaction, so a rollback leaves no gap. */
  private async allocateCode(em: EntityManager, center: Center): Promise<string> {
    const year = Number(todayIn(center.timezone).slice(0, 4));
    const [counter] = (await em.query(
      `INSERT INTO service_request_counters (center_id, year, last_value) VALUES ($1, $2, 1)
       ON CONFLICT (center_id, year) DO UPDATE SET last_value = service_request_counters.last_value + 1
       RETURNING last_value`,
      [center.id, year],
    )) as { last_value: number }[];
    return `${center.code}-SR-${String(year % 100).padStart(2, '0')}-${String(counter.last_value).padStart(4, '0')}`;
  }

  private async requireOwnDatasets(requestId: string, datasetIds: string[]): Promise<void> {
    const own = await this.datasets.idsForServiceRequest(requestId, datasetIds);
    datasetIds.forEach((datasetId, index) => {
      if (!own.has(datasetId)) throw AppError.badInput(`datasetIds[${index}]`, 'is not a dataset of this request (upload it with serviceRequestId)');
    });
  }

  /** An electronic signature needs a person who has just proven who they are. */
  private async confirmSigner(actor: Actor, password: string): Promise<{ id: string; name: string; email: string }> {
    if (actor.kind !== 'user' || !actor.userId) throw AppError.forbidden('A report is signed by a person: sign in as a user, not with an API key');
    const contact = await this.users.contactOf(actor.userId);
    const verified = contact ? await this.users.verifyCredentials(contact.email, password) : null;
    if (!contact || !verified || verified.id !== actor.userId) {
      throw new AppError('forbidden', 'The password is wrong; the report was not signed', [{ field: 'password', message: 'is wrong' }]);
    }
    return { id: actor.userId, name: contact.displayName, email: contact.email };
  }

  private async issueReport(
    em: EntityManager,
    actor: Actor,
    request: ServiceRequest,
    { signer, sources, audience }: { signer: { id: string; name: string; email: string }; sources: ReportSources; audience: Audience },
    amends: { report: ServiceReport; reason: string } | null,
  ): Promise<ServiceReport> {
    const [last] = (await em.query('SELECT coalesce(max(revision), 0)::int AS revision FROM service_reports WHERE request_id = $1', [request.id])) as { revision: number }[];
    const revision = last.revision + 1;
    const revisionId = `${request.code}-R${revision}`;
    const approvedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const content = await this.documents.reportContent(em, request, sources, {
      revision,
      revisionId,
      approval: { name: signer.name, email: signer.email, at: approvedAt, meaning: 'approval' },
      amendment: amends ? { supersedes: amends.report.revisionId, reason: amends.reason } : null,
    });
    const report = await this.audit.insert(
      em,
      actor,
      ServiceReport,
      'service_report',
      {
        requestId: request.id,
        revision,
        revisionId,
        content,
        approvedBy: signer.id,
        approvedAt,
        amendsId: amends?.report.id ?? null,
        amendmentReason: amends?.reason ?? null,
      },
      // The audit entry is the signature record: who, when, what it means; not the whole report.
      (row) => ({ id: row.id, revisionId: row.revisionId, approvedBy: row.approvedBy, approvedAt: row.approvedAt, meaning: 'approval', amendsId: row.amendsId, amendmentReason: row.amendmentReason }),
    );
    await this.outbox.add(em, JobName.RenderServiceReport, { reportId: report.id }, actor.requestId);
    await this.notify(em, audience, 'report-ready', { code: request.code, revisionId, requestId: request.id, amended: amends ? 'yes' : 'no' });
    return report;
  }

  /** On delivery the accepted quote's lines become charges, at the quoted prices. */
  private async chargeQuote(em: EntityManager, actor: Actor, request: ServiceRequest): Promise<void> {
    const quote = await em.findOne(ServiceQuote, { where: { requestId: request.id, supersededAt: IsNull() } });
    if (!quote) return;
    const lines = await em.find(ServiceQuoteLine, { where: { quoteId: quote.id }, order: { position: 'ASC' } });
    await this.billing.chargeServiceRequest(em, actor, {
      serviceRequestId: request.id,
      requestCode: request.code,
      centerId: request.centerId,
      organizationId: request.organizationId,
      projectId: request.projectId,
      occurredAt: new Date(),
      taxRate: quote.taxRate,
      lines: lines.map((l) => ({ position: l.position, description: l.description, quantity: l.quantity, unit: l.unit, unitPrice: l.unitPrice, amount: l.amount })),
    });
  }
}
