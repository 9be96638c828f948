import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { toBoolean } from '../../common/validation/query-boolean';
import { RATE_CATEGORIES, RateCategory } from '../project.entity';

export class CreateProjectDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organizationId: string;

  @ApiProperty({ example: 'TP-2026-01', description: 'unique within the organization' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, { message: 'must be 1–40 letters, digits, dots, dashes or underscores' })
  code: string;

  @ApiProperty({ example: 'GaN HEMT passivation study' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: RATE_CATEGORIES, example: 'industry' })
  @IsIn(RATE_CATEGORIES)
  rateCategory: RateCategory;

  @ApiPropertyOptional({ example: 'PO-88231' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  poNumber?: string;
}

export class UpdateProjectDto extends PartialType(OmitType(CreateProjectDto, ['organizationId'] as const)) {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ProjectQueryDto extends PageQueryDto {
  /** Matches code or name, case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ enum: RATE_CATEGORIES })
  @IsOptional()
  @IsIn(RATE_CATEGORIES)
  rateCategory?: RateCategory;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}
