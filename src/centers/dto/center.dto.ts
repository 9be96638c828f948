import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, Validate } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { IanaTimezone } from '../../common/validation/iana-timezone';
import { toBoolean } from '../../common/validation/query-boolean';

export class CreateCenterDto {
  @ApiProperty({ example: 'KNS', description: '2–8 upper-case letters' })
  @Matches(/^[A-Z]{2,8}$/, { message: 'must be 2–8 upper-case letters' })
  code: string;

  @ApiProperty({ example: '関東ナノ材料プロセスイノベーションセンター' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  nameJa: string;

  @ApiProperty({ example: 'Kanto Nanomaterials Process Innovation Center' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  nameEn: string;

  @ApiProperty({ example: 'Asia/Tokyo', description: 'IANA time zone' })
  @Validate(IanaTimezone)
  timezone: string;

  @ApiPropertyOptional({ example: '1-2-3 Sengen, Tsukuba, Ibaraki 305-0047' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ example: 'foundry@kns.example.jp' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contactEmail?: string;

  @ApiPropertyOptional({ example: 'T1234567890123', description: 'qualified-invoice issuer number' })
  @IsOptional()
  @Matches(/^T\d{13}$/, { message: 'must be T followed by 13 digits' })
  invoiceRegistrationNumber?: string;
}

export class UpdateCenterDto extends PartialType(CreateCenterDto) {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class CenterQueryDto extends PageQueryDto {
  /** Matches code or either name, case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}
