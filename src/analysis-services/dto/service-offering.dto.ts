import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { RatesDto } from '../../equipment/dto/equipment.dto';
import { SERVICE_UNITS, ServiceUnit } from '../service-offering.entity';

export class SampleRequirementDto {
  @ApiProperty({ example: 'size' })
  @IsString()
  @Matches(/^[a-z][a-zA-Z0-9_-]{0,39}$/, { message: 'key must be a short identifier (letters, digits, - and _)' })
  key: string;

  @ApiProperty({ example: 'At most 20 mm × 20 mm × 5 mm; conductive or coated' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  description: string;
}

export class CreateServiceOfferingDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  centerId: string;

  @ApiProperty({ example: 'SEM-IMG', description: 'unique within the center' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9_-]{1,39}$/, { message: 'code must be 2–40 upper-case letters, digits, - or _' })
  code: string;

  @ApiProperty({ example: 'SEM 観察' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  nameJa: string;

  @ApiProperty({ example: 'SEM imaging' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  nameEn: string;

  @ApiProperty({ example: 'SEM' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  technique: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'equipment of the same center that performs it' })
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  equipmentIds: string[];

  @ApiProperty({ enum: SERVICE_UNITS })
  @IsIn(SERVICE_UNITS)
  unit: ServiceUnit;

  @ApiProperty({ type: RatesDto, description: 'integer yen per unit for each rate category' })
  @ValidateNested()
  @Type(() => RatesDto)
  prices: RatesDto;

  @ApiProperty({ example: 10 })
  @IsInt()
  @Min(0)
  @Max(365)
  turnaroundDays: number;

  @ApiPropertyOptional({ type: [SampleRequirementDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => SampleRequirementDto)
  sampleRequirements?: SampleRequirementDto[];
}

export class UpdateServiceOfferingDto extends PartialType(CreateServiceOfferingDto) {
  @ApiPropertyOptional({ description: 'false withdraws it from new requests' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ServiceOfferingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ example: 'XRD' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  technique?: string;
}
