import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { CentersService } from '../centers/centers.service';
import { Center } from '../centers/center.entity';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { flattenParameters } from '../common/flatten-parameters';
import { AppError } from '../common/errors/app-error';
import { measuring, streamOf } from '../common/streams';
import { DatasetsService } from '../datasets/datasets.service';
import { DocumentIssuer, DocumentLanguage, DocumentRecipient, QuoteDocument, ReportDocument } from '../documents/document-types';
import { renderQuotePdf, renderReportPdf } from '../documents/pdf-documents';
import { EquipmentService } from '../equipment/equipment.service';
import { labelUrl } from '../labels/label-id';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { Organization } from '../organizations/organization.entity';
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
 * What a report takes from other modules (directory, catalogue, booked sessions), read before
 * the signing transaction opens: no pooled query runs while the request is locked.
 */
export interface ReportSources {
  issuer: DocumentIssuer;
  recipient: DocumentRecipient;
  language: DocumentLanguage;
  methods: ReportDocument['methods'];
  sessions: ReportDocument['sessions'];
}

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
    const [lines, organization, center, issuer] = await Promise.all([
      this.dataSource.getRepository(ServiceQuoteLine).find({ where: { quoteId: quote.id }, order: { position: 'ASC' } }),
      this.organizations.get(SYSTEM_ACTOR, request.organizationId),
      this.centers.get(SYSTEM_ACTOR, request.centerId),
      quote.issuedBy ? this.users.contactOf(quote.issuedBy) : null,
    ]);
    const document: QuoteDocument = {
      language: options.lang ?? organization.language,
      issuer: this.issuer(center),
      recipient: await this.recipient(request, organization),
      requestCode: request.code,
      quoteNumber: quote.number,
      issuedAt: quote.issuedAt,
      issuedBy: issuer?.displayName ?? '',
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
   * What the report takes from other modules: issuer and recipient, the methods with their
   * instruments, and the work sessions with their operators. Read before the approving
   * transaction opens: none of it is guarded by the request's lock, so reading it inside would
   * be no more consistent, only hold a second connection.
   */
  async reportSources(request: ServiceRequest): Promise<ReportSources> {
    const [center, organization, items, booked] = await Promise.all([
      this.centers.get(SYSTEM_ACTOR, request.centerId),
      this.organizations.get(SYSTEM_ACTOR, request.organizationId),
      this.dataSource.getRepository(ServiceRequestItem).find({ where: { requestId: request.id }, order: { position: 'ASC' } }),
      this.reservations.forServiceRequest(request.id),
    ]);
    const language = organization.language;
    const sessions = booked.filter((s) => !['cancelled', 'rejected'].includes(s.status));
    const services = await this.catalogue.byIds(items.map((i) => i.serviceId));
    const equipmentIds = [...new Set([...[...services.values()].flatMap((s) => s.equipmentIds), ...sessions.map((s) => s.equipmentId)])];
    const operatorIds = [...new Set(sessions.map((s) => s.userId))];
    const [recipient, tools, operators] = await Promise.all([
      this.recipient(request, organization),
      Promise.all(equipmentIds.map((id) => this.equipment.get(SYSTEM_ACTOR, id))).then((found) => new Map(found.map((t) => [t.id, t]))),
      Promise.all(operatorIds.map(async (id) => [id, (await this.users.contactOf(id))?.displayName ?? ''] as const)).then((found) => new Map(found)),
    ]);
    const toolName = (id: string) => {
      const tool = tools.get(id);
      return tool ? `${tool.code} ${language === 'ja' ? tool.nameJa : tool.nameEn}` : id;
    };
    return {
      issuer: this.issuer(center),
      recipient,
      language,
      methods: items.map((item) => {
        const service = services.get(item.serviceId)!;
        return { service: `${service.code} ${language === 'ja' ? service.nameJa : service.nameEn}`, technique: service.technique, equipment: service.equipmentIds.map(toolName) };
      }),
      sessions: sessions.map((s) => {
        // Used time where the instrument log has it, booked time otherwise.
        const used = s.usages.filter((u) => u.endedAt);
        return {
          equipment: toolName(s.equipmentId),
          start: used.length ? used[0].startedAt : s.start,
          end: used.length ? used[used.length - 1].endedAt! : s.end,
          operator: operators.get(s.userId) ?? '',
        };
      }),
    };
  }

  /**
   * Everything the report says, assembled inside the approving transaction: the request, its
   * samples with their QR targets, results, datasets with their hashes and package links,
   * deviations and the signature, read through `em`, with the `sources` read before it opened.
   */
  async reportContent(
    em: EntityManager,
    request: ServiceRequest,
    sources: ReportSources,
    signing: Pick<ReportDocument, 'revision' | 'revisionId' | 'approval' | 'amendment'>,
  ): Promise<ReportDocument> {
    // One after the other: queries on the transaction's connection cannot overlap.
    const linked = await em.find(ServiceRequestSample, { where: { requestId: request.id }, order: { receivedAt: 'ASC', sampleId: 'ASC' } });
    const samples = await this.samples.findWithReceipts(SYSTEM_ACTOR, linked.map((s) => s.sampleId), em);
    const datasets = await this.datasets.forServiceRequest(request.id, em);
    const byId = new Map(datasets.map((d) => [d.id, d]));

    return {
      language: sources.language,
      issuer: sources.issuer,
      recipient: sources.recipient,
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
      methods: sources.methods,
      sessions: sources.sessions,
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
    const { stream: meter, measurement } = measuring();
    try {
      await Promise.all([renderReportPdf(reviveReport(report.content), meter), pipeline(meter, createWriteStream(temporary))]);
      // On disk before the rename makes it the revision's file.
      const file = await open(temporary, 'r+');
      await file.sync().finally(() => file.close());
    } catch (error) {
      meter.destroy();
      await rm(temporary, { force: true });
      throw error;
    }
    await rename(temporary, path);
    const sha256 = measurement.sha256();
    await this.dataSource.getRepository(ServiceReport).update({ id: reportId, sha256: IsNull() }, { storageKey: key, sha256, size: measurement.size, renderedAt: new Date() });
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

  private async recipient(request: ServiceRequest, organization: Organization): Promise<DocumentRecipient> {
    const [project, requester] = await Promise.all([
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
