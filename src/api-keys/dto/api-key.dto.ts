import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { ROLES, Role } from '../../common/auth/actor';
import { PageQueryDto } from '../../common/pagination/cursor';
import { toBoolean } from '../../common/validation/query-boolean';
import { ApiKey } from '../api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'XRD-01 instrument PC' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ROLES, example: 'staff' })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for member keys' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ type: [String], description: 'required for staff keys' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  centerIds?: string[];
}

export class CreatedApiKeyDto extends ApiKey {
  @ApiProperty({ description: 'the key itself; shown only in this response', example: 'fhk_3q2+…' })
  key: string;
}

export class ApiKeyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'include revoked keys' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeRevoked?: boolean;
}
