import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { pdfFile } from '../common/streams';
import { UuidPipe } from '../common/validation/validation';
import {
  AcceptQuoteDto,
  AmendReportDto,
  CreateServiceRequestDto,
  DeliverReportDto,
  DocumentQueryDto,
  OptionalReasonDto,
  QuoteServiceRequestDto,
  ReasonDto,
  ReceiveSamplesDto,
  RecordResultsDto,
  ServiceRequestQueryDto,
} from './dto/service-request.dto';
import { ServiceDocumentsService } from './service-documents.service';
import { ServiceRequest, ServiceRequestStatusChange } from './service-request.entity';
import { ServiceRequestsService, ServiceRequestView } from './service-requests.service';

/**
 * Analysis service requests. Members file and follow their organization's requests and
 * accept or reject quotes; staff of the request's center quote, receive samples, record
 * results and sign reports. Another organization's request is a 404.
 */
@ApiTags('services')
@ApiBearerAuth()
@ApiProblems()
@Controller('service-requests')
export class ServiceRequestsController {
  constructor(
    private readonly requests: ServiceRequestsService,
    private readonly documents: ServiceDocumentsService,
  ) {}

  @Get()
  @ApiPage(ServiceRequest)
  list(@CurrentActor() actor: Actor, @Query() query: ServiceRequestQueryDto): Promise<Page<ServiceRequest>> {
    return this.requests.list(actor, query);
  }

  @Post()
  @ApiCreatedResponse({ type: ServiceRequest })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateServiceRequestDto): Promise<ServiceRequestView> {
    return this.requests.create(actor, dto);
  }

  /** The request with its items, the quote in force, linked samples, report revisions and the actions the caller may take. */
  @Get(':id')
  @ApiOkResponse({ type: ServiceRequest })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ServiceRequestView> {
    return this.requests.get(actor, id);
  }

  /** Every action on the request, oldest first: what the requester sees while waiting. */
  @Get(':id/timeline')
  @ApiOkResponse({ type: [ServiceRequestStatusChange] })
  timeline(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ServiceRequestStatusChange[]> {
    return this.requests.timeline(actor, id);
  }

  /** Staff: price the request (catalogue lines at the project's rate category, plus manual lines). */
  @Post(':id/quote')
  @HttpCode(200)
  quote(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: QuoteServiceRequestDto): Promise<ServiceRequestView> {
    return this.requests.quote(actor, id, dto);
  }

  /** The requesting organization accepts the quote in force while it is valid. */
  @Post(':id/accept')
  @HttpCode(200)
  accept(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: AcceptQuoteDto): Promise<ServiceRequestView> {
    return this.requests.accept(actor, id, dto);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto): Promise<ServiceRequestView> {
    return this.requests.reject(actor, id, dto);
  }

  /** Staff: link the received samples; a count other than the declared one needs a `deviation`. */
  @Post(':id/receive')
  @HttpCode(200)
  receive(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReceiveSamplesDto): Promise<ServiceRequestView> {
    return this.requests.receive(actor, id, dto);
  }

  @Post(':id/start')
  @HttpCode(200)
  start(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ServiceRequestView> {
    return this.requests.start(actor, id);
  }

  /** Staff: the results are ready, with at least one dataset of the request. */
  @Post(':id/results')
  @HttpCode(200)
  results(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: RecordResultsDto): Promise<ServiceRequestView> {
    return this.requests.results(actor, id, dto);
  }

  /** Staff: results go back to work, with the reason. */
  @Post(':id/reopen')
  @HttpCode(200)
  reopen(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto): Promise<ServiceRequestView> {
    return this.requests.reopen(actor, id, dto);
  }

  /** Staff: approve and deliver the report; the signer re-enters the password. */
  @Post(':id/deliver')
  @HttpCode(200)
  deliver(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: DeliverReportDto): Promise<ServiceRequestView> {
    return this.requests.deliver(actor, id, dto);
  }

  /** Staff: replace the delivered report with an amended, newly signed revision that says what changed. */
  @Post(':id/amend')
  @HttpCode(200)
  amend(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: AmendReportDto): Promise<ServiceRequestView> {
    return this.requests.amend(actor, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  close(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: OptionalReasonDto): Promise<ServiceRequestView> {
    return this.requests.close(actor, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto): Promise<ServiceRequestView> {
    return this.requests.cancel(actor, id, dto);
  }

  /** The quote in force (or `?revision=`) as a PDF, in the organization's language unless `?lang=`. */
  @Get(':id/quote.pdf')
  @ApiProduces('application/pdf')
  async quotePdf(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: DocumentQueryDto): Promise<StreamableFile> {
    const request = await this.requests.find(actor, id);
    const { stream, filename } = await this.documents.quotePdf(request, { lang: query.lang, revision: query.revision });
    return pdfFile(stream, filename);
  }

  /**
   * The signed report in force (or `?revision=`) as rendered by the worker; its SHA-256 is the
   * ETag. 503 with Retry-After while it is still being rendered.
   */
  @Get(':id/report.pdf')
  @ApiProduces('application/pdf')
  async reportPdf(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Query() query: DocumentQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const request = await this.requests.find(actor, id);
    const { stream, filename, sha256 } = await this.documents.reportPdf(request, query.revision);
    reply.header('etag', `"${sha256}"`);
    return pdfFile(stream, filename);
  }
}
