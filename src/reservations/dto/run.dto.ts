import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';


export class RunStepDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  equipmentId: string;

  @ApiPropertyOptional({ example: '2026-12-01T09:00:00+09:00', description: 'fixed placement: with end' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  start?: string;

  @ApiPropertyOptional({ example: '2026-12-01T11:00:00+09:00' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  end?: string;

  @ApiPropertyOptional({ example: 120, description: 'earliest placement: the step’s duration' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(43_200)
  minutes?: number;

  @ApiPropertyOptional({ example: 30, description: 'earliest placement: minimum minutes after the previous step ends' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(43_200)
  gapMinutes?: number;
}

/**
 * Either every step has `start` and `end`, or `earliestStart` is given and every step has
 * `minutes` (and optionally `gapMinutes`): the service then finds the earliest placement.
 */
export class CreateRunDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  projectId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'staff booking for someone else' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ example: '2026-12-01T09:00:00+09:00' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  earliestStart?: string;

  @ApiPropertyOptional({ enum: ['self', 'assisted', 'remote'], default: 'self' })
  @IsOptional()
  @IsIn(['self', 'assisted', 'remote'])
  mode?: 'self' | 'assisted' | 'remote';

  @ApiPropertyOptional({ example: 'GaN HEMT gate module: litho → etch → ALD → anneal' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  purpose?: string;

  @ApiProperty({ type: [RunStepDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RunStepDto)
  steps: RunStepDto[];
}
