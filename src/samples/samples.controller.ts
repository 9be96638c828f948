import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import { pdfFile } from '../common/streams';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { AppError } from '../common/errors/app-error';
import { ChainVerdict } from '../common/hashing/hash-chain';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import {
  BulkCreateSamplesDto,
  CascadingActionDto,
  CheckInSampleDto,
  CheckOutSampleDto,
  CombineSamplesDto,
  CorrectEventDto,
  CreateSampleDto,
  DisposeSampleDto,
  DueForDisposalQueryDto,
  LineageQueryDto,
  MeasureSampleDto,
  ProcessStepDto,
  ReceiveSampleDto,
  ReturnSampleDto,
  SampleActionDto,
  SampleEventsQueryDto,
  SampleQueryDto,
  ShipSampleDto,
  SplitSampleDto,
  StoreSampleDto,
} from './dto/sample.dto';
import { LabelPrintQueryDto } from '../labels/label-print-query.dto';
import { CustodyReportService } from './custody-report.service';
import { LabelSheetQueryDto, ZplQueryDto } from './dto/label.dto';
import { SampleActionsService } from './sample-actions.service';
import { SampleLabelsService } from './sample-labels.service';
import { SampleEventsService, SampleEventView } from './sample-events.service';
import { Sample } from './sample.entity';
import { LineageGraphDto } from './dto/lineage.dto';
import { SamplesService, SampleView } from './samples.service';

const API = { source: 'api' } as const;

@ApiTags('samples')
@ApiBearerAuth()
@ApiProblems()
@Controller('samples')
export class SamplesController {
  constructor(
    private readonly samples: SamplesService,
    private readonly actions: SampleActionsService,
    private readonly events: SampleEventsService,
    private readonly printing: SampleLabelsService,
    private readonly custody: CustodyReportService,
  ) {}

  /** Labels of many samples as one PDF for the chosen medium, streamed (up to a few hundred ids; POST for more). */
  @Get('labels.pdf')
  @ApiProduces('application/pdf')
  async labelSheet(@CurrentActor() actor: Actor, @Query() query: LabelSheetQueryDto): Promise<StreamableFile> {
    return pdfFile(await this.printing.pdf(actor, query.ids, query.media ?? 'a4-sheet', query.ecc ?? 'M'), 'labels.pdf');
  }

  /** The same for long lists (up to 10,000 ids) that do not fit in a URL. */
  @Post('labels.pdf')
  @HttpCode(200)
  @ApiProduces('application/pdf')
  async labelSheetPost(@CurrentActor() actor: Actor, @Body() body: LabelSheetQueryDto): Promise<StreamableFile> {
    return pdfFile(await this.printing.pdf(actor, body.ids, body.media ?? 'a4-sheet', body.ecc ?? 'M'), 'labels.pdf');
  }

  /** Search and filter; members see their organization's samples only. */
  @Get()
  @ApiPage(Sample)
  list(@CurrentActor() actor: Actor, @Query() query: SampleQueryDto): Promise<Page<SampleView>> {
    return this.samples.list(actor, query);
  }

  /** Announces a sample (state `expected`), with its code and label. */
  @Post()
  async create(@CurrentActor() actor: Actor, @Body() dto: CreateSampleDto): Promise<SampleView> {
    const [created] = await this.samples.register(actor, [dto], 'api');
    return created;
  }

  /** Announces many samples at once (e.g. the 25 dies of one wafer), all or none. */
  @Post('bulk')
  async createMany(@CurrentActor() actor: Actor, @Body() dto: BulkCreateSamplesDto): Promise<{ items: SampleView[] }> {
    return { items: await this.samples.register(actor, dto.samples, 'api') };
  }

  /** Samples past their retention date and still here: return or dispose of them (staff). */
  @Get('due-for-disposal')
  @Roles('admin', 'staff')
  @ApiPage(Sample)
  dueForDisposal(@CurrentActor() actor: Actor, @Query() query: DueForDisposalQueryDto): Promise<Page<SampleView>> {
    return this.samples.dueForDisposal(actor, query);
  }

  /** Pools samples of one owner into a new one; the inputs are consumed. */
  @Post('combine')
  combine(@CurrentActor() actor: Actor, @Body() dto: CombineSamplesDto): Promise<SampleView> {
    return this.actions.combine(actor, dto, API);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<SampleView> {
    return this.samples.get(actor, id);
  }

  /**
   * The custody record, oldest first, each event with its `prevHash` and `hash`. By default it
   * includes the ancestors' events up to the split that made this sample (`inherited: true`).
   */
  @Get(':id/events')
  async listEvents(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: SampleEventsQueryDto): Promise<{ items: SampleEventView[] }> {
    await this.samples.find(actor, id);
    return { items: await this.events.history(id, query.inherited !== 'false') };
  }

  /** Events are never edited: a mistake is fixed with `POST /samples/:id/correct`. */
  @Patch(':id/events/:eventId')
  refuseEdit(): never {
    throw new AppError('method-not-allowed', 'Custody events cannot be changed; record a correction with POST /samples/{id}/correct', [{ field: 'eventId', message: 'is append-only' }]);
  }

  @Delete(':id/events/:eventId')
  refuseDelete(): never {
    throw new AppError('method-not-allowed', 'Custody events cannot be deleted; record a correction with POST /samples/{id}/correct', [{ field: 'eventId', message: 'is append-only' }]);
  }

  /** The label's QR code as SVG (alphanumeric mode, error correction M, 4-module quiet zone). */
  @Get(':id/qr.svg')
  @ApiProduces('image/svg+xml')
  @Header('content-type', 'image/svg+xml')
  qrSvg(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<string> {
    return this.printing.qrSvg(actor, id);
  }

  /** The sample's label as a PDF page sized exactly to the medium. */
  @Get(':id/label.pdf')
  @ApiProduces('application/pdf')
  async labelPdf(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: LabelPrintQueryDto): Promise<StreamableFile> {
    return pdfFile(await this.printing.pdf(actor, [id], query.media ?? 'brother-62x29', query.ecc ?? 'M', true), `label-${id}.pdf`);
  }

  /** The sample's label in ZPL II for Zebra printers (QR with ^BQ). */
  @Get(':id/label.zpl')
  @ApiProduces('application/zpl')
  @Header('content-type', 'application/zpl; charset=utf-8')
  zpl(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: ZplQueryDto): Promise<string> {
    return this.printing.zpl(actor, id, query.dpi ?? 203, query.ecc ?? 'M');
  }

  /**
   * The chain-of-custody report (PDF): the sample, every event with who, when and where, and
   * the verified hash of the chain head, with a sign-off block.
   */
  @Get(':id/custody.pdf')
  @ApiProduces('application/pdf')
  async custodyPdf(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<StreamableFile> {
    return pdfFile(await this.custody.pdf(actor, id), `custody-${id}.pdf`);
  }

  /** Re-hashes the sample's chain and names the first broken link, if any. */
  @Get(':id/verify')
  async verify(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ChainVerdict> {
    await this.samples.find(actor, id);
    return this.events.verify(id);
  }

  /** Parents and children through splits and combinations, as nodes and edges. */
  @Get(':id/lineage')
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiOkResponse({ type: LineageGraphDto })
  lineage(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: LineageQueryDto): Promise<string> {
    return this.samples.lineageJson(actor, id, query);
  }

  @Post(':id/receive')
  @HttpCode(200)
  receive(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReceiveSampleDto): Promise<SampleView> {
    return this.actions.receive(actor, id, dto, API);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CascadingActionDto): Promise<SampleView> {
    return this.actions.reject(actor, id, dto, API);
  }

  @Post(':id/store')
  @HttpCode(200)
  store(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: StoreSampleDto): Promise<SampleView> {
    return this.actions.store(actor, id, dto, API);
  }

  @Post(':id/check-out')
  @HttpCode(200)
  checkOut(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CheckOutSampleDto): Promise<SampleView> {
    return this.actions.checkOut(actor, id, dto, API);
  }

  @Post(':id/check-in')
  @HttpCode(200)
  checkIn(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CheckInSampleDto): Promise<SampleView> {
    return this.actions.checkIn(actor, id, dto, API);
  }

  /** Records a process step on a tool (the sample must be checked out, `in_use`). */
  @Post(':id/process-step')
  @HttpCode(200)
  processStep(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ProcessStepDto): Promise<SampleView> {
    return this.actions.processStep(actor, id, dto, API);
  }

  @Post(':id/measure')
  @HttpCode(200)
  measure(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: MeasureSampleDto): Promise<SampleView> {
    return this.actions.measure(actor, id, dto, API);
  }

  @Post(':id/hold')
  @HttpCode(200)
  hold(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CascadingActionDto): Promise<SampleView> {
    return this.actions.hold(actor, id, dto, API);
  }

  @Post(':id/release')
  @HttpCode(200)
  release(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: SampleActionDto): Promise<SampleView> {
    return this.actions.release(actor, id, dto, API);
  }

  @Post(':id/ship')
  @HttpCode(200)
  ship(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ShipSampleDto): Promise<SampleView> {
    return this.actions.ship(actor, id, dto, API);
  }

  @Post(':id/return')
  @HttpCode(200)
  returnSample(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReturnSampleDto): Promise<SampleView> {
    return this.actions.returnSample(actor, id, dto, API);
  }

  @Post(':id/dispose')
  @HttpCode(200)
  dispose(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: DisposeSampleDto): Promise<SampleView> {
    return this.actions.dispose(actor, id, dto, API);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: SampleActionDto): Promise<SampleView> {
    return this.actions.cancel(actor, id, dto, API);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  reinstate(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: SampleActionDto): Promise<SampleView> {
    return this.actions.reinstate(actor, id, dto, API);
  }

  /** Cuts the sample into pieces, each with its code, label and descriptor (die x/y, piece #). */
  @Post(':id/split')
  @HttpCode(200)
  split(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: SplitSampleDto): Promise<SampleView> {
    return this.actions.split(actor, id, dto, API);
  }

  /** Voids the sample's label (damaged, lost) and binds a new one; the code and record stay. */
  @Post(':id/relabel')
  @HttpCode(200)
  relabel(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: SampleActionDto): Promise<SampleView> {
    return this.actions.relabel(actor, id, dto, API);
  }

  /** Records a correction of an earlier event (with a reason); the original stays. */
  @Post(':id/correct')
  @HttpCode(200)
  @ApiOkResponse({ type: Sample })
  correct(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CorrectEventDto): Promise<SampleView> {
    return this.actions.correct(actor, id, dto, API);
  }
}

/** A streamed PDF download. */
