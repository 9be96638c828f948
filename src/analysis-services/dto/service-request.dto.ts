import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { IsDateOnly } from '../../common/validation/date-only';
import { SERVICE_REQUEST_STATUSES, ServiceRequestStatus } from '../service-request-lifecycle';

export class ServiceRequestItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  serviceId: string;

  @ApiProperty({ example: 3, description: 'in the service’s unit: samples, hours or measurements' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;
}

export class CreateServiceRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  centerId: string;

  @ApiProperty({ format: 'uuid', description: 'the project that pays; its rate category prices the quote' })
  @IsUUID()
  projectId: string;

  @ApiProperty({ type: [ServiceRequestItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ServiceRequestItemDto)
  items: ServiceRequestItemDto[];

  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  sampleCount: number;

  @ApiProperty({ example: 'Three 10 × 10 mm GaN-on-Si coupons, Ni/Au contacts' })
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  sampleDescription: string;

  @ApiPropertyOptional({ example: '2026-12-20' })
  @IsOptional()
  @IsDateOnly()
  deadline?: string;

  @ApiPropertyOptional({ description: 'confidentiality notes and anything the center should know' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;

  @ApiPropertyOptional({ example: 'No hazardous substances; samples are not toxic or radioactive' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  hazardDeclaration?: string;
}

export class QuoteLineDto {
  @ApiProperty({ example: 'Extra sample preparation (cross-section polishing)' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  description: string;

  @ApiProperty({ example: 1.5, description: 'greater than 0, at most two decimals' })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(100_000)
  quantity: number;

  @ApiProperty({ example: 5000, description: 'integer yen, 0 or more; a discount is `discount: true`, never a negative price' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  unitPrice: number;

  @ApiPropertyOptional({ example: 'h' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  unit?: string;

  @ApiPropertyOptional({ description: 'subtract this line (a discount)' })
  @IsOptional()
  @IsBoolean()
  discount?: boolean;
}

export class QuoteServiceRequestDto {
  @ApiPropertyOptional({ type: [QuoteLineDto], description: 'manual lines after the catalogue lines (extra preparation, discounts)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => QuoteLineDto)
  lines?: QuoteLineDto[];

  @ApiProperty({ example: 10, enum: [0, 8, 10], description: 'consumption tax rate in percent' })
  @IsIn([0, 8, 10])
  taxRate: number;

  @ApiProperty({ example: '2026-12-31', description: 'the last day the quote can be accepted' })
  @IsDateOnly()
  validUntil: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;
}

export class AcceptQuoteDto {
  @ApiPropertyOptional({ example: 2, description: 'the quote revision the client accepts; refused (409) if it is no longer the quote in force' })
  @IsOptional()
  @IsInt()
  @Min(1)
  revision?: number;

  @ApiPropertyOptional({ example: 'PO-2026-0042' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  poNumber?: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'The sample size exceeds the stage limit' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason?: string;
}

export class ReceiveSamplesDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'registered samples of the requesting organization, already received at the center' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  sampleIds: string[];

  @ApiPropertyOptional({ example: 'Two coupons arrived instead of three; the client agreed by phone', description: 'required when the count differs from the declared one' })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  deviation?: string;
}

export class RecordResultsDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'datasets uploaded for this request (`serviceRequestId`)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  datasetIds: string[];

  @ApiPropertyOptional({ example: 'Grain size 120 ± 15 nm; no voids at the interface.' })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  summary?: string;

  @ApiPropertyOptional({ type: [String], example: ['Accelerating voltage 5 kV instead of 10 kV (charging)'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  deviations?: string[];
}

/** Approving a report is an electronic signature: the signer enters the password again (21 CFR 11 §11.200). */
export class DeliverReportDto {
  @ApiProperty({ description: 'the signer’s password, entered again' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class AmendReportDto extends DeliverReportDto {
  @ApiProperty({ example: 'Dataset 2 was replaced by a corrected version (calibration error)', description: 'what changed and why (ISO/IEC 17025 §7.8.8)' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  datasetIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  summary?: string;
}

export class ServiceRequestQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SERVICE_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(SERVICE_REQUEST_STATUSES)
  status?: ServiceRequestStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;
}

export class DocumentQueryDto {
  @ApiPropertyOptional({ enum: ['ja', 'en'], description: 'defaults to the organization’s language' })
  @IsOptional()
  @IsIn(['ja', 'en'])
  lang?: 'ja' | 'en';

  @ApiPropertyOptional({ example: 1, description: 'report revision; the current one if omitted' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  revision?: number;
}
