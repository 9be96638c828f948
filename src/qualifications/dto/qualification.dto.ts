import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { toBoolean } from '../../common/validation/query-boolean';
import { QUALIFICATION_LEVELS, QualificationLevel } from '../qualification.entity';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';

/** A date-time that says which offset it is in: `Z` or `±HH:MM` after the time. */

/** Later than the moment the request is validated. Unparseable values are left to the format checks. */
@ValidatorConstraint({ name: 'inTheFuture' })
class InTheFuture implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return true;
    const time = Date.parse(value);
    return Number.isNaN(time) || time > Date.now();
  }

  defaultMessage(): string {
    return 'must be in the future';
  }
}

export class CreateQualificationDto {
  @ApiProperty({ format: 'uuid', description: 'the user who may operate the tool' })
  @IsUUID()
  userId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  equipmentId: string;

  @ApiProperty({ enum: QUALIFICATION_LEVELS, example: 'user', description: '`supervised`: only with staff present; `trainer`: may train others' })
  @IsIn(QUALIFICATION_LEVELS)
  level: QualificationLevel;

  @ApiPropertyOptional({ format: 'date-time', example: '2027-03-31T23:59:59+09:00', description: 'ISO 8601 with offset, in the future; omitted = does not expire' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  @Validate(InTheFuture)
  expiresAt?: string;
}

export class QualificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ description: '`true`: neither revoked nor expired; `false`: revoked or expired' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}
