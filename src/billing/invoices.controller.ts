import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { AppError } from '../common/errors/app-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { pdfFile } from '../common/streams';
import { isUuid, UuidPipe } from '../common/validation/validation';
import { CreateInvoiceDto, CreditNoteDto, InvoicePdfQueryDto, InvoiceQueryDto, PayInvoiceDto, UpdateInvoiceDto } from './dto/invoice.dto';
import { Invoice } from './invoice.entity';
import { InvoicesService, InvoiceView } from './invoices.service';

const PDF_SUFFIX = '.pdf';

@ApiTags('billing')
@ApiBearerAuth()
@ApiProblems()
@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  /**
   * Builds a draft for one organization at one center over a period (`period: "YYYY-MM"` or
   * `periodStart` + `periodEnd`) from its uninvoiced charges up to the period's end, earlier
   * ones recorded late included. A period that overlaps a live invoice of the same
   * organization and center is a 409 naming `periodStart`.
   */
  @Post()
  @Roles('admin', 'staff')
  @ApiCreatedResponse({ type: Invoice })
  build(@CurrentActor() actor: Actor, @Body() dto: CreateInvoiceDto): Promise<InvoiceView> {
    return this.invoices.build(actor, dto);
  }

  /** Invoices and credit notes the caller may see (members: their organization's, issued ones only), newest first. */
  @Get()
  @ApiPage(Invoice)
  list(@CurrentActor() actor: Actor, @Query() query: InvoiceQueryDto): Promise<Page<Invoice>> {
    return this.invoices.list(actor, query);
  }

  /**
   * `GET /invoices/:id`: the invoice with its lines grouped by project and its tax summary.
   * `GET /invoices/:id.pdf`: the document (適格請求書) in the organization's language, or `?lang=ja|en`.
   */
  @Get(':file')
  @ApiProduces('application/json', 'application/pdf')
  @ApiOkResponse({ type: Invoice })
  async get(@CurrentActor() actor: Actor, @Param('file') file: string, @Query() query: InvoicePdfQueryDto): Promise<InvoiceView | StreamableFile> {
    const pdf = file.toLowerCase().endsWith(PDF_SUFFIX);
    const id = pdf ? file.slice(0, -PDF_SUFFIX.length) : file;
    if (!isUuid(id)) throw AppError.badInput('id', pdf ? 'must be a UUID followed by .pdf' : 'must be a UUID');
    if (!pdf) {
      if (query.lang) throw AppError.badInput('lang', 'applies to the PDF only (/invoices/:id.pdf)');
      return this.invoices.get(actor, id.toLowerCase());
    }
    const { filename, stream } = await this.invoices.pdf(actor, id.toLowerCase(), query.lang);
    return pdfFile(stream, filename);
  }

  /** The due date and notes of a draft; an issued invoice is never edited (409). */
  @Patch(':id')
  @Roles('admin', 'staff')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateInvoiceDto): Promise<InvoiceView> {
    return this.invoices.update(actor, id, dto);
  }

  /** Discards a draft: its charges are uninvoiced again (the draft is kept as `discarded`). */
  @Delete(':id')
  @Roles('admin', 'staff')
  discard(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<InvoiceView> {
    return this.invoices.discard(actor, id);
  }

  /** Issues a draft: the next gapless number of the center's fiscal year; mailed to the organization's members. */
  @Post(':id/issue')
  @Roles('admin', 'staff')
  @HttpCode(200)
  issue(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<InvoiceView> {
    return this.invoices.issue(actor, id);
  }

  /** Records the payment of an issued invoice (`paidAt`, default now). */
  @Post(':id/pay')
  @Roles('admin', 'staff')
  @HttpCode(200)
  pay(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: PayInvoiceDto): Promise<InvoiceView> {
    return this.invoices.pay(actor, id, dto);
  }

  /**
   * Corrects an issued invoice with a credit note (a new document with the lines negated, in the
   * same number series); the invoice's charges become billable again as re-issue copies.
   */
  @Post(':id/credit-note')
  @Roles('admin', 'staff')
  @ApiCreatedResponse({ type: Invoice, description: 'the credit note' })
  creditNote(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CreditNoteDto): Promise<InvoiceView> {
    return this.invoices.creditNote(actor, id, dto);
  }
}
