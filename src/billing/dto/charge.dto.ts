import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidationOptions } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { isDateOnly } from '../../common/validation/date-only';
import { isIsoTimeWithOffset } from '../../common/validation/iso-time';
import { toBoolean } from '../../common/validation/query-boolean';
import { CHARGE_KINDS, ChargeKind } from '../charge.entity';

/** A day (`YYYY-MM-DD`, in the charge's center time zone) or an instant with an offset. */
function IsDayOrInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDayOrInstant',
      validator: {
        validate: (value) => isDateOnly(value) || isIsoTimeWithOffset(value),
        defaultMessage: () => 'must be a date (YYYY-MM-DD) or an ISO 8601 time with an offset',
      },
    },
    options,
  );
}

export class ChargeQueryDto extends PageQueryDto {
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

  @ApiPropertyOptional({ format: 'uuid', description: 'the charges on this invoice' })
  @IsOptional()
  @IsUUID()
  invoiceId?: string;

  @ApiPropertyOptional({ enum: CHARGE_KINDS })
  @IsOptional()
  @IsIn(CHARGE_KINDS)
  kind?: ChargeKind;

  @ApiPropertyOptional({ example: '2026-03-01', description: 'occurred on or after: a day in the center’s time zone, or an instant' })
  @IsOptional()
  @IsDayOrInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'occurred on or before this day (in the center’s time zone), or before this instant' })
  @IsOptional()
  @IsDayOrInstant()
  to?: string;

  @ApiPropertyOptional({ description: 'true: only charges on no invoice yet; false: only invoiced ones' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  uninvoiced?: boolean;
}

/** `POST /charges/:id/adjust`: exactly one of `amount` (the corrected total) or `waive: true`, and a reason. */
export class AdjustChargeDto {
  @ApiPropertyOptional({ example: 12000, description: 'the corrected total of the charge in integer yen; the difference is recorded as an adjustment' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  amount?: number;

  @ApiPropertyOptional({ example: true, description: 'waive the charge: adjust its total to ¥0' })
  @IsOptional()
  @IsIn([true], { message: 'must be true (send amount to correct the total instead)' })
  waive?: boolean;

  @ApiProperty({ example: 'Chamber fault during the run; agreed with the client', minLength: 3, maxLength: 1000 })
  @IsString()
  @Matches(/\S/, { message: 'must not be blank' })
  @MinLength(3)
  @MaxLength(1000)
  reason: string;
}
