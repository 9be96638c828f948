import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { RESERVATION_STATUSES, ReservationStatus } from '../reservation-lifecycle';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';


export class CreateReservationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  equipmentId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for bookings; none for maintenance' })
  @ValidateIf((dto: CreateReservationDto) => dto.kind !== 'maintenance' || dto.projectId !== undefined)
  @IsUUID()
  projectId?: string;

  @ApiProperty({ example: '2026-12-01T09:00:00+09:00' })
  @IsIsoTimeWithOffset()
  start: string;

  @ApiProperty({ example: '2026-12-01T11:00:00+09:00' })
  @IsIsoTimeWithOffset()
  end: string;

  @ApiPropertyOptional({ enum: ['self', 'assisted', 'remote'], default: 'self' })
  @IsOptional()
  @IsIn(['self', 'assisted', 'remote'])
  mode?: 'self' | 'assisted' | 'remote';

  @ApiPropertyOptional({ example: 'ALD of 20 nm Al2O3 on 4-inch GaN wafers' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  purpose?: string;

  @ApiPropertyOptional({ example: 3 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  plannedSamples?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'staff: the analysis service request this assisted session works on (charged through the request)' })
  @IsOptional()
  @IsUUID()
  serviceRequestId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'staff booking for someone else' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: ['booking', 'maintenance'], default: 'booking', description: 'maintenance: staff only, no project' })
  @IsOptional()
  @IsIn(['booking', 'maintenance'])
  kind?: 'booking' | 'maintenance';

  @ApiPropertyOptional({ description: 'staff: book despite overridable policy rules (needs a reason)' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({ example: 'Urgent re-run agreed with the line manager' })
  @ValidateIf((dto: CreateReservationDto) => dto.force === true || dto.reason !== undefined)
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  reason?: string;
}

export class UpdateReservationDto {
  @ApiPropertyOptional({ example: '2026-12-01T10:00:00+09:00' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  start?: string;

  @ApiPropertyOptional({ example: '2026-12-01T12:00:00+09:00' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  end?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  purpose?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional()
  @ValidateIf((dto: UpdateReservationDto) => dto.force === true || dto.reason !== undefined)
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  reason?: string;
}

export class ReservationActionDto {
  @ApiPropertyOptional({ example: 'Sample delivery delayed', description: 'required to reject; recorded for every action' })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  reason?: string;
}

export class ReservationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: RESERVATION_STATUSES })
  @IsOptional()
  @IsIn(RESERVATION_STATUSES)
  status?: ReservationStatus;

  @ApiPropertyOptional({ enum: ['self', 'assisted', 'remote'], description: 'assisted and remote bookings need staff: filter them to plan' })
  @IsOptional()
  @IsIn(['self', 'assisted', 'remote'])
  mode?: 'self' | 'assisted' | 'remote';

  @ApiPropertyOptional({ enum: ['booking', 'maintenance'] })
  @IsOptional()
  @IsIn(['booking', 'maintenance'])
  kind?: 'booking' | 'maintenance';

  @ApiPropertyOptional({ description: 'reservations ending after this time' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  from?: string;

  @ApiPropertyOptional({ description: 'reservations starting before this time' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  to?: string;
}
