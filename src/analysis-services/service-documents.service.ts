import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { CentersService } from '../centers/centers.service';
import { Center } from '../centers/center.entity';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { flattenParameters } from '../common/flatten-parameters';
import { AppError } from '../common/errors/app-error';
import { streamOf } from '../common/streams';
import { DatasetsService } from '../datasets/datasets.service';
import { DocumentIssuer, DocumentLanguage, QuoteDocument, ReportDocument } from '../documents/document-types';
import { renderQuotePdf, renderReportPdf } from '../documents/pdf-documents';
import { EquipmentService } from '../equipment/equipment.service';
import { labelUrl } from '../labels/label-id';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { ProjectsService } from '../projects/projects.service';
import { ReservationsService } from '../reservations/reservations.service';
import { SamplesService } from '../samples/samples.service';
import { UsersService } from '../users/users.service';
import { ServiceCatalogueService } from './service-catalogue.service';
import { ServiceQuote, ServiceQuoteLine } from './service-quote.entity';
import { ServiceReport } from './service-report.entity';
import { ServiceRequest, ServiceRequestItem, ServiceRequestSample } from './service-request.entity';

/**
 * The quote and report PDFs of service requests. A quote is drawn on request from its stored,
 * never-edited rows; a report's content is assembled once, frozen at approval, and rendered to a
 * file by the worker (`ServiceReportProcessor`) so that report PDFs never load the API.
 */
@Injectable()
export class ServiceDocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalogue: ServiceCatalogueService,
    private readonly centers: CentersService,
    private readonly organizations: OrganizationsService,
    private readonly projects: ProjectsService,
    private readonly users: UsersService,
    private readonly equipment: EquipmentService,
    private readonly samples: SamplesService,
    private readonly datasets: DatasetsService,
    private readonly reservations: ReservationsService,
  ) {}

  // ------------------------------------------------------------------ quote

  /** The quote in force (or an earlier revision) as a PDF, in the organization's language unless `lang` says otherwise. */
  async quotePdf(request: ServiceRequest, options: { lang?: DocumentLanguage; revision?: number }): Promise<{ stream: Readable; filename: string }> {
    const quote = await this.dataSource.getRepository(ServiceQuote).findOne({
      where: options.revision ? { requestId: request.id, revision: options.revision } : { requestId: request.id, supersededAt: IsNull() },
    });
    if (!quote) throw AppError.notFound('quote');
    const lines = await this.dataSource.getRepository(ServiceQuoteLine).find({ where: { quoteId: quote.id }, order: { position: 'ASC' } });
    const organization = await this.organizations.get(SYSTEM_ACTOR, request.organizationId);
    const language = options.lang ?? organization.language;
    const document: QuoteDocument = {
      language,
      issuer: this.issuer(await this.centers.get(SYSTEM_ACTOR, request.centerId)),
      recipient: await this.recipient(request),
      requestCode: request.code,
      quoteNumber: quote.number,
      issuedAt: quote.issuedAt,
      issuedBy: quote.issuedBy ? ((await this.users.contactOf(quote.issuedBy))?.displayName ?? '') : '',
      validUntil: quote.validUntil,
      lines: lines.map((line) => ({
        description: line.description,
        quantity: line.quantity.replace(/\.?0+$/, ''),
        unit: line.unit,
        unitPrice: line.unitPrice,
        amount: line.amount,
        taxRate: quote.taxRate,
      })),
      taxes: [{ rate: quote.taxRate, base: quote.subtotal, tax: quote.tax }],
      subtotal: quote.subtotal,
      tax: quote.tax,
      total: quote.total,
      notes: quote.notes,
    };
    return { stream: streamOf((out) => renderQuotePdf(document, out)), filename: `${quote.number}.pdf` };
  }

  // ------------------------------------------------------------------ report

  /**
   * Everything the report says, read inside the approving transaction: the request, its
   * samples with their QR targets, methods and instruments, work sessions, results, datasets
   * with their hashes and package links, deviations, and the signature.
   */
  async reportContent(
    em: EntityManager,
    request: ServiceRequest,
    signing: Pick<ReportDocument, 'revision' | 'revisionId' | 'approval' | 'amendment'>,
  ): Promise<ReportDocument> {
    // One after the other: queries on the transaction's connection cannot overlap.
    const center = await this.centers.get(SYSTEM_ACTOR, request.centerId);
    const organization = await this.organizations.get(SYSTEM_ACTOR, request.organizationId);
    const items = await em.find(ServiceRequestItem, { where: { requestId: request.id }, order: { position: 'ASC' } });
    const linked = await em.find(ServiceRequestSample, { where: { requestId: request.id }, order: { receivedAt: 'ASC', sampleId: 'ASC' } });
    const sessions = await this.reservations.forServiceRequest(request.id);
    const datasets = await this.datasets.forServiceRequest(request.id, em);
    const language = organization.language;
    const services = await this.catalogue.byIds(items.map((i) => i.serviceId));
    const equipmentIds = [...new Set([...[...services.values()].flatMap((s) => s.equipmentIds), ...sessions.map((s) => s.equipmentId)])];
    const tools = new Map((await Promise.all(equipmentIds.map((id) => this.equipment.get(SYSTEM_ACTOR, id)))).map((t) => [t.id, t]));
    const toolName = (id: string) => {
      const tool = tools.get(id);
      return tool ? `${tool.code} ${language === 'ja' ? tool.nameJa : tool.nameEn}` : id;
    };
    const samples = await this.samples.findWithReceipts(SYSTEM_ACTOR, linked.map((s) => s.sampleId), em);
    const operators = new Map<string, string>();
    for (const userId of new Set(sessions.map((s) => s.userId))) operators.set(userId, (await this.users.contactOf(userId))?.displayName ?? '');
    const byId = new Map(datasets.map((d) => [d.id, d]));

    return {
      language,
      issuer: this.issuer(center),
      recipient: await this.recipient(request),
      requestCode: request.code,
      revisionId: signing.revisionId,
      revision: signing.revision,
      sampleCount: request.sampleCount,
      sampleDescription: request.sampleDescription,
      requestedAt: request.createdAt,
      deadline: request.deadline,
      samples: samples.map((s) => ({
        code: s.code,
        name: s.name,
        labelUrl: s.labelId ? this.qrTarget(s.labelId) : null,
        receivedAt: s.receivedAt,
        condition: s.condition,
      })),
      methods: items.map((item) => {
        const service = services.get(item.serviceId)!;
        return { service: `${service.code} ${language === 'ja' ? service.nameJa : service.nameEn}`, technique: service.technique, equipment: service.equipmentIds.map(toolName) };
      }),
      sessions: sessions
        .filter((s) => !['cancelled', 'rejected'].includes(s.status))
        .map((s) => {
          // Used time where the instrument log has it, booked time otherwise.
          const used = s.usages.filter((u) => u.endedAt);
          return {
            equipment: toolName(s.equipmentId),
            start: used.length ? used[0].startedAt : s.start,
            end: used.length ? used[used.length - 1].endedAt! : s.end,
            operator: operators.get(s.userId) ?? '',
          };
        }),
      resultsSummary: request.resultsSummary ?? '',
      datasets: request.resultDatasetIds
        .map((id) => byId.get(id))
        .filter((d) => d !== undefined)
        .map((d) => ({
          title: d.title,
          technique: d.technique,
          version: d.version,
          measuredAt: d.measuredAt,
          conditions: flattenParameters(d.parameters).map(([name, value]) => ({ name, value: String(value) })),
          files: d.files.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
          packageUrl: `${this.config.publicUrl}/api/v1/datasets/${d.id}/package`,
        })),
      deviations: request.deviations,
      amendment: signing.amendment,
      approval: signing.approval,
    };
  }

  /**
   * Renders a report revision to its file once (the worker's job): written to a temporary
   * file, flushed and renamed, then the key, size and SHA-256 are recorded. A retry after a
   * crash renders the same bytes again; a revision already recorded is left alone.
   */
  async renderReport(reportId: string): Promise<{ rendered: boolean; sha256: string | null }> {
    const report = await this.dataSource
      .getRepository(ServiceReport)
      .createQueryBuilder('r')
      .addSelect(['r.content', 'r.storageKey'])
      .where('r.id = :reportId', { reportId })
      .getOne();
    if (!report) return { rendered: false, sha256: null };
    if (report.sha256) return { rendered: false, sha256: report.sha256 };
    const key = join('reports', report.requestId, `${report.revisionId}.pdf`);
    const path = join(this.config.dataDir, key);
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(dirname(path), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(temporary, 'w');
    try {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          file.write(chunk).then(() => done(), done);
        },
      });
      await renderReportPdf(reviveReport(report.content), sink);
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, path);
    const sha256 = hash.digest('hex');
    await this.dataSource.getRepository(ServiceReport).update({ id: reportId, sha256: IsNull() }, { storageKey: key, sha256, size, renderedAt: new Date() });
    return { rendered: true, sha256 };
  }

  /** The rendered PDF of a revision (the one in force by default); 503 while the worker is still rendering it. */
  async reportPdf(request: ServiceRequest, revision?: number): Promise<{ stream: Readable; filename: string; sha256: string }> {
    const repository = this.dataSource.getRepository(ServiceReport);
    const report = await repository
      .createQueryBuilder('r')
      .addSelect('r.storageKey')
      .where('r.request_id = :requestId', { requestId: request.id })
      .andWhere(revision ? 'r.revision = :revision' : 'r.invalidated_at IS NULL', { revision })
      .orderBy('r.revision', 'DESC')
      .getOne();
    if (!report) throw AppError.notFound('report');
    if (!report.sha256 || !report.storageKey) {
      throw new AppError('unavailable', `Report ${report.revisionId} is being rendered; try again in a few seconds`, undefined, { retryAfterSeconds: 2 });
    }
    return { stream: createReadStream(join(this.config.dataDir, report.storageKey)), filename: `${report.revisionId}.pdf`, sha256: report.sha256 };
  }

  // ------------------------------------------------------------------ parts

  /** What the sample's label carries; a PUBLIC_URL that cannot be printed on labels still gets its (denser) QR code here. */
  private qrTarget(labelId: string): string {
    try {
      return labelUrl(this.config.publicUrl, labelId);
    } catch {
      return `${this.config.publicUrl.replace(/\/+$/, '')}/S/${labelId}`;
    }
  }

  private issuer(center: Center): DocumentIssuer {
    return {
      centerCode: center.code,
      nameJa: center.nameJa,
      nameEn: center.nameEn,
      address: center.address,
      contactEmail: center.contactEmail,
      registrationNumber: center.invoiceRegistrationNumber,
      timezone: center.timezone,
    };
  }

  private async recipient(request: ServiceRequest): Promise<QuoteDocument['recipient']> {
    const [organization, project, requester] = await Promise.all([
      this.organizations.get(SYSTEM_ACTOR, request.organizationId),
      this.projects.get(SYSTEM_ACTOR, request.projectId),
      request.requesterId ? this.users.contactOf(request.requesterId) : null,
    ]);
    return {
      organizationName: organization.language === 'ja' && organization.nameJa ? organization.nameJa : organization.name,
      billingAddress: organization.billingAddress,
      projectCode: project.code,
      projectName: project.name,
      contactName: requester?.displayName ?? null,
    };
  }
}

/** A report's stored content (JSON) with its instants as Dates again. */
export function reviveReport(content: ReportDocument): ReportDocument {
  const at = (value: Date | string) => new Date(value);
  const maybe = (value: Date | string | null) => (value === null ? null : new Date(value));
  return {
    ...content,
    requestedAt: at(content.requestedAt),
    samples: content.samples.map((s) => ({ ...s, receivedAt: maybe(s.receivedAt) })),
    sessions: content.sessions.map((s) => ({ ...s, start: at(s.start), end: at(s.end) })),
    datasets: content.datasets.map((d) => ({ ...d, measuredAt: at(d.measuredAt) })),
    approval: { ...content.approval, at: at(content.approval.at) },
  };
}
