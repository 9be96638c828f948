import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { LabelPrintQueryDto } from '../../labels/label-print-query.dto';
import { MAX_LABEL_BATCH } from '../../labels/labels.service';
import { MAX_LABELS_PER_PDF } from '../sample-labels.service';

export class LabelBatchDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  centerId: string;

  @ApiProperty({ minimum: 1, maximum: MAX_LABEL_BATCH, example: 100 })
  @IsInt()
  @Min(1)
  @Max(MAX_LABEL_BATCH)
  count: number;
}

export class AssignLabelDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((dto: AssignLabelDto) => dto.locationId === undefined)
  @IsUUID()
  sampleId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((dto: AssignLabelDto) => dto.sampleId === undefined)
  @IsUUID()
  locationId?: string;
}

export class VoidLabelDto {
  @ApiProperty({ example: 'torn in the dry cabinet' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reason: string;
}

export class LabelSheetQueryDto extends LabelPrintQueryDto {
  @ApiProperty({ description: `sample ids, comma-separated (at most ${MAX_LABELS_PER_PDF})`, example: 'id1,id2' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((id) => id.trim()).filter(Boolean) : value))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LABELS_PER_PDF)
  @IsUUID(undefined, { each: true })
  ids: string[];
}

export class ZplQueryDto {
  @ApiPropertyOptional({ enum: [203, 300], default: 203 })
  @IsOptional()
  @Type(() => Number)
  @IsIn([203, 300])
  dpi?: 203 | 300;

  @ApiPropertyOptional({ enum: ['M', 'Q'], default: 'M' })
  @IsOptional()
  @IsIn(['M', 'Q'])
  ecc?: 'M' | 'Q';
}
