import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { IsDateOnly } from '../../common/validation/date-only';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';
import { INVOICE_KINDS, INVOICE_STATUSES, InvoiceKind, InvoiceStatus } from '../invoice.entity';

/**
 * `POST /invoices`: a draft for one organization, center and period, from the uninvoiced
 * charges up to the period's end. The period is `period` (a month) or `periodStart` + `periodEnd`.
 */
export class CreateInvoiceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organizationId: string;

  @ApiPropertyOptional({ example: '2026-03', description: 'a calendar month, shorthand for periodStart/periodEnd' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be a month (YYYY-MM)' })
  period?: string;

  @ApiPropertyOptional({ example: '2026-03-01', description: 'first day (in the center’s time zone)' })
  @ValidateIf((dto: CreateInvoiceDto) => dto.period === undefined || dto.periodStart !== undefined)
  @IsDateOnly()
  periodStart?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'last day, inclusive' })
  @ValidateIf((dto: CreateInvoiceDto) => dto.period === undefined || dto.periodEnd !== undefined)
  @IsDateOnly()
  periodEnd?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the issuing center; default: the staff member’s only center' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ example: '2026-04-30', description: 'not before the period ends; default: the last day of the month after the period (月末締め翌月末払い)' })
  @IsOptional()
  @IsDateOnly()
  dueDate?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

/** `PATCH /invoices/:id`: drafts only. */
export class UpdateInvoiceDto {
  @ApiPropertyOptional({ example: '2026-04-30', description: 'not before the period ends' })
  @IsOptional()
  @IsDateOnly()
  dueDate?: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true })
  @ValidateIf((dto: UpdateInvoiceDto) => dto.notes !== null && dto.notes !== undefined)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

export class PayInvoiceDto {
  @ApiPropertyOptional({ example: '2026-04-25T10:00:00+09:00', description: 'when the payment arrived (default: now)' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  paidAt?: string;
}

export class CreditNoteDto {
  @ApiProperty({ example: 'Wrong rate category applied; corrected invoice follows', minLength: 3, maxLength: 1000 })
  @IsString()
  @Matches(/\S/, { message: 'must not be blank' })
  @MinLength(3)
  @MaxLength(1000)
  reason: string;
}

export class InvoiceQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;

  @ApiPropertyOptional({ enum: INVOICE_KINDS })
  @IsOptional()
  @IsIn(INVOICE_KINDS)
  kind?: InvoiceKind;
}

export class InvoicePdfQueryDto {
  @ApiPropertyOptional({ enum: ['ja', 'en'], description: 'default: the organization’s language' })
  @IsOptional()
  @IsIn(['ja', 'en'])
  lang?: 'ja' | 'en';
}
