import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDateString, IsIn, IsObject, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';
import { ACCESS_CLASSES, AccessClass, EXPORT_CONTROL_CLASSES, ExportControl } from '../dataset.entity';

/** The `metadata` part of `POST /datasets` (JSON). */
export class DatasetMetadataDto {
  @ApiProperty({ example: 'XRR of Al2O3 on GaN, wafer W07' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiProperty({ example: 'XRR' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  technique: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'the samples measured (all of one owner, who owns the dataset)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  sampleIds: string[];

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  equipmentId: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  reservationId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  serviceRequestId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'who measured (default: the uploader)' })
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  @ApiProperty({ example: '2026-11-28T10:15:00+09:00' })
  @IsIsoTimeWithOffset()
  measuredAt: string;

  @ApiPropertyOptional({ example: { wavelengthNm: 0.154, scanRangeDeg: [0, 5] } })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiProperty({ enum: ACCESS_CLASSES, description: 'open 公開 (公開期間猶予 while under embargo), shared 共有, closed 非共有・非公開' })
  @IsIn(ACCESS_CLASSES)
  accessClass: AccessClass;

  @ApiPropertyOptional({ example: '2029-04-01', nullable: true, description: "default: the center's rule (two years from the next fiscal year); null: none" })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'embargoUntil must be a date (YYYY-MM-DD)' })
  embargoUntil?: string | null;

  @ApiPropertyOptional({ example: 'https://creativecommons.org/licenses/by/4.0/', description: 'default for open data: CC BY 4.0' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'license must be a URL' })
  @MaxLength(500)
  license?: string;

  @ApiProperty({ enum: EXPORT_CONTROL_CLASSES })
  @IsIn(EXPORT_CONTROL_CLASSES)
  exportControl: ExportControl;
}

export class DatasetQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sampleId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ enum: ACCESS_CLASSES })
  @IsOptional()
  @IsIn(ACCESS_CLASSES)
  accessClass?: AccessClass;
}

export class EmbargoExtensionDto {
  @ApiProperty({ example: 'Patent filing pending' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

export class ExportControlDto {
  @ApiProperty({ enum: EXPORT_CONTROL_CLASSES })
  @IsIn(EXPORT_CONTROL_CLASSES)
  classification: ExportControl;

  @ApiProperty({ example: 'Reviewed against the METI list: not applicable' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

/** The `metadata` part of `POST /datasets/:id/versions`: why, which files stay, what changes. */
export class DatasetVersionMetadataDto {
  @ApiProperty({ example: 'Detector dead-time correction was missing' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'files of the previous version that stay as they are' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  keepFileIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({
    enum: EXPORT_CONTROL_CLASSES,
    description: 'only with new files: their classification, recorded as yours (default: undetermined); unchanged files keep theirs',
  })
  @IsOptional()
  @IsIn(EXPORT_CONTROL_CLASSES)
  exportControl?: ExportControl;
}
