import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { toBoolean } from '../../common/validation/query-boolean';
import { ORGANIZATION_KINDS, OrganizationKind } from '../organization.entity';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Tsukuba Photonics K.K.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'つくばフォトニクス株式会社' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameJa?: string;

  @ApiProperty({ enum: ORGANIZATION_KINDS, example: 'company' })
  @IsIn(ORGANIZATION_KINDS)
  kind: OrganizationKind;

  @ApiPropertyOptional({ example: '2-1-1 Sengen, Tsukuba, Ibaraki 305-0047' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  billingAddress?: string;

  @ApiPropertyOptional({ enum: ['ja', 'en'], default: 'ja' })
  @IsOptional()
  @IsIn(['ja', 'en'])
  language?: 'ja' | 'en';
}

export class UpdateOrganizationDto extends PartialType(CreateOrganizationDto) {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class OrganizationQueryDto extends PageQueryDto {
  /** Matches either name, case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS })
  @IsOptional()
  @IsIn(ORGANIZATION_KINDS)
  kind?: OrganizationKind;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}
