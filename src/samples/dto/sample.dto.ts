import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDateString,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';
import { DISPOSAL_REASONS, DisposalReason, SAMPLE_STATES, SampleState } from '../sample-lifecycle';
import { GHS_CODES, GhsCode } from '../../labels/ghs-pictograms';
import { SAMPLE_FORMS, SampleForm } from '../sample.entity';

/** Most samples registered in one request (a wafer's worth of dies). */
export const MAX_BULK_SAMPLES = 500;
export const MAX_SPLIT_CHILDREN = 1000;

export class CreateSampleDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  centerId: string;

  @ApiProperty({ format: 'uuid', description: 'the project to bill; its organization owns the sample' })
  @IsUUID()
  projectId: string;

  @ApiProperty({ example: 'GaN-on-Si wafer W07' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'GaN/AlGaN on Si(111)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  material?: string;

  @ApiProperty({ enum: SAMPLE_FORMS })
  @IsIn(SAMPLE_FORMS)
  form: SampleForm;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 4 })
  @Min(0)
  quantity?: number;

  @ApiPropertyOptional({ example: 'pcs' })
  @ValidateIf((dto: CreateSampleDto) => dto.unit !== undefined || dto.quantity !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(16)
  unit?: string;

  @ApiPropertyOptional({ enum: GHS_CODES, isArray: true, example: ['GHS02'] })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(GHS_CODES, { each: true })
  hazards?: GhsCode[];

  @ApiPropertyOptional({ example: 'PO-4471 / lot 12' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  clientRef?: string;

  @ApiPropertyOptional({ example: '2027-12-31', description: 'keep until (date); then it is listed as due for disposal' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'retentionUntil must be a date (YYYY-MM-DD)' })
  retentionUntil?: string;

  @ApiPropertyOptional({ example: '7KQ2M9XD4R', description: 'bind a pre-printed unassigned label instead of a new one' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  labelId?: string;
}

export class BulkCreateSamplesDto {
  @ApiProperty({ type: [CreateSampleDto], maxItems: MAX_BULK_SAMPLES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_SAMPLES)
  @ValidateNested({ each: true })
  @Type(() => CreateSampleDto)
  samples: CreateSampleDto[];
}

export class SampleQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'words in code, name, material or client reference' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: 'KNS-26-000123' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  code?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  material?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ enum: SAMPLE_STATES })
  @IsOptional()
  @IsIn(SAMPLE_STATES)
  state?: SampleState;

  @ApiPropertyOptional({ format: 'uuid', description: 'in this location or anywhere below it' })
  @IsOptional()
  @IsUUID()
  locationId?: string;

  @ApiPropertyOptional({ enum: GHS_CODES })
  @IsOptional()
  @IsIn(GHS_CODES)
  hazard?: GhsCode;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00+09:00', description: 'registered at or after' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  registeredFrom?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00+09:00', description: 'registered before' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  registeredTo?: string;
}

/** What every action takes: why, a comment, when it physically happened, for whom. */
export class SampleActionDto {
  @ApiPropertyOptional({ description: 'required for negative actions (reject, hold, cancel) and corrections' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ example: '2026-11-28T10:15:00+09:00', description: 'when it happened (default: now); not in the future, not before registration' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  occurredAt?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the user the actor acts for (e.g. a courier handing over)' })
  @IsOptional()
  @IsUUID()
  onBehalfOf?: string;
}

export const RECEIPT_CONDITIONS = ['intact', 'damaged', 'contaminated', 'leaking', 'wrong_quantity', 'other'] as const;

export class ReceiveSampleDto extends SampleActionDto {
  @ApiProperty({ enum: RECEIPT_CONDITIONS })
  @IsIn(RECEIPT_CONDITIONS)
  condition: (typeof RECEIPT_CONDITIONS)[number];

  @ApiPropertyOptional({ type: [String], example: ['one corner chipped'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  deviations?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'put it here on receipt (it becomes available)' })
  @IsOptional()
  @IsUUID()
  locationId?: string;
}

export class StoreSampleDto extends SampleActionDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  locationId: string;
}

export class CheckOutSampleDto extends SampleActionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'the tool it is taken to' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  reservationId?: string;
}

export class CheckInSampleDto extends SampleActionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'where it goes back (default: where it was)' })
  @IsOptional()
  @IsUUID()
  locationId?: string;
}

export const PROCESS_OUTCOMES = ['success', 'partial', 'failed', 'aborted'] as const;

export class ProcessStepDto extends SampleActionDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  equipmentId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'must be on that equipment, cover the time and belong to the sample owner' })
  @IsOptional()
  @IsUUID()
  reservationId?: string;

  @ApiProperty({ example: 'ALD-Al2O3-20nm' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  recipe: string;

  @ApiPropertyOptional({ example: '3' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  recipeVersion?: string;

  @ApiPropertyOptional({ example: { temperatureC: 250, cycles: 200 } })
  @IsOptional()
  @IsObject()
  setpoints?: Record<string, unknown>;

  @ApiPropertyOptional({ example: { temperatureC: 249.6, cycles: 200 } })
  @IsOptional()
  @IsObject()
  actuals?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'ald-2026-11-28-01', description: 'shared by samples processed together' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  runId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'who ran the tool (default: the actor)' })
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  @ApiProperty({ example: '2026-11-28T09:00:00+09:00' })
  @IsIsoTimeWithOffset()
  startedAt: string;

  @ApiProperty({ example: '2026-11-28T10:30:00+09:00' })
  @IsIsoTimeWithOffset()
  endedAt: string;

  @ApiProperty({ enum: PROCESS_OUTCOMES })
  @IsIn(PROCESS_OUTCOMES)
  outcome: (typeof PROCESS_OUTCOMES)[number];
}

export class MeasurementResultDto {
  @ApiProperty({ example: 'film thickness' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  quantity: string;

  @ApiProperty({ example: 20.4 })
  @IsNumber()
  value: number;

  @ApiProperty({ example: 'nm' })
  @IsString()
  @MaxLength(32)
  unit: string;

  @ApiPropertyOptional({ example: 0.3 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  uncertainty?: number;
}

export class DatasetReferenceDto {
  @ApiProperty({ example: 'xrr-w07.raw' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  name: string;

  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex characters' })
  sha256: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the dataset, once it is registered' })
  @IsOptional()
  @IsUUID()
  datasetId?: string;
}

export class MeasureSampleDto extends SampleActionDto {
  @ApiProperty({ format: 'uuid', description: 'the instrument' })
  @IsUUID()
  equipmentId: string;

  @ApiProperty({ example: 'XRR' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  method: string;

  @ApiProperty({ type: [MeasurementResultDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeasurementResultDto)
  results: MeasurementResultDto[];

  @ApiPropertyOptional({ type: [DatasetReferenceDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DatasetReferenceDto)
  datasets?: DatasetReferenceDto[];
}

export class CascadingActionDto extends SampleActionDto {
  @ApiPropertyOptional({ description: 'apply to every descendant (pieces cut from it) as well' })
  @IsOptional()
  @IsBoolean()
  cascade?: boolean;
}

export class ShipSampleDto extends SampleActionDto {
  @ApiPropertyOptional({ example: 'Yamato Transport' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  carrier?: string;

  @ApiPropertyOptional({ example: '1234-5678-9012' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  trackingNumber?: string;

  @ApiPropertyOptional({ example: 'Tsukuba Photonics, receiving desk' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  destination?: string;

  @ApiPropertyOptional({ description: 'ship every descendant not yet settled along with it' })
  @IsOptional()
  @IsBoolean()
  includeDescendants?: boolean;
}

export class ReturnSampleDto extends SampleActionDto {
  @ApiPropertyOptional({ enum: RECEIPT_CONDITIONS })
  @IsOptional()
  @IsIn(RECEIPT_CONDITIONS)
  condition?: (typeof RECEIPT_CONDITIONS)[number];
}

export class DisposeSampleDto extends SampleActionDto {
  @ApiProperty({ enum: DISPOSAL_REASONS })
  @IsIn(DISPOSAL_REASONS)
  reasonCode: DisposalReason;

  @ApiPropertyOptional({ example: 'halogenated solvent waste', description: 'required when the sample is hazardous' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  wasteStream?: string;
}

export class SplitChildDto {
  @ApiProperty({ example: { dieX: 3, dieY: 7 }, description: 'where the piece came from: die x/y, piece #, …' })
  @IsObject()
  descriptor: Record<string, unknown>;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 4 })
  @Min(0)
  quantity?: number;

  @ApiPropertyOptional({ description: 'default: the parent name and the descriptor' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: SAMPLE_FORMS, description: 'default: die for a wafer, otherwise the parent form' })
  @IsOptional()
  @IsIn(SAMPLE_FORMS)
  form?: SampleForm;
}

export class SplitSampleDto extends SampleActionDto {
  @ApiProperty({ type: [SplitChildDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SPLIT_CHILDREN)
  @ValidateNested({ each: true })
  @Type(() => SplitChildDto)
  children: SplitChildDto[];

  @ApiPropertyOptional({ description: 'the parent is used up by the split (default: when the children take all of its quantity)' })
  @IsOptional()
  @IsBoolean()
  consumeParent?: boolean;
}

export class CombineSamplesDto extends SampleActionDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  sampleIds: string[];

  @ApiProperty({ example: 'Pooled powder batch P3' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ enum: SAMPLE_FORMS, description: 'default: the inputs’ form' })
  @IsOptional()
  @IsIn(SAMPLE_FORMS)
  form?: SampleForm;
}

export class CorrectEventDto extends SampleActionDto {
  @ApiProperty({ format: 'uuid', description: 'the event being corrected' })
  @IsUUID()
  targetEventId: string;

  @ApiProperty({ example: 'payload.actuals.temperatureC' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  field: string;

  @ApiPropertyOptional({ description: 'the value as recorded' })
  @IsOptional()
  oldValue?: unknown;

  @ApiProperty({ description: 'the right value (null is a value)' })
  @IsDefined()
  newValue: unknown;
}

export class LineageQueryDto {
  @ApiPropertyOptional({ enum: ['up', 'down', 'both'], default: 'both' })
  @IsOptional()
  @IsIn(['up', 'down', 'both'])
  direction?: 'up' | 'down' | 'both';

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  depth?: number;
}

export class SampleEventsQueryDto {
  @ApiPropertyOptional({ description: 'also the events of ancestors before the split that made this sample (default true)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  inherited?: 'true' | 'false';
}

export class DueForDisposalQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'retention date on or before (default: today)' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'onOrBefore must be a date (YYYY-MM-DD)' })
  onOrBefore?: string;
}
