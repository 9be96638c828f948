import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RESERVATION_STATUSES, ReservationStatus } from '../reservation-lifecycle';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';


/** The longest window one availability request may ask for. */
export const MAX_AVAILABILITY_DAYS = 62;

export class AvailabilityQueryDto {
  @ApiProperty({ example: '2026-12-01T00:00:00+09:00', description: 'start of the window (inclusive)' })
  @IsIsoTimeWithOffset()
  from: string;

  @ApiProperty({ example: '2026-12-08T00:00:00+09:00', description: `end of the window (exclusive); later than from, at most ${MAX_AVAILABILITY_DAYS} days after it` })
  @IsIsoTimeWithOffset()
  to: string;

  @ApiPropertyOptional({
    example: 60,
    description: 'minutes the booking should last; default the policy’s minMinutes; a multiple of slotMinutes between minMinutes and maxMinutes',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(43_200)
  duration?: number;
}

export class BusyPeriodDto {
  @ApiProperty({ example: '2026-12-01T01:00:00.000Z', description: 'start of the held period, clipped to the window' })
  start: string;

  @ApiProperty({ example: '2026-12-01T02:30:00.000Z', description: 'end of the held period including the clean-down buffer, clipped to the window' })
  end: string;

  @ApiProperty({ enum: ['booking', 'maintenance'] })
  kind: 'booking' | 'maintenance';

  @ApiProperty({ enum: RESERVATION_STATUSES, example: 'confirmed' })
  status: ReservationStatus;

  @ApiProperty({ description: 'the reservation belongs to the caller’s organization or is held by the caller' })
  mine: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'only for reservations the caller may open: staff and admins see all, members their organization’s' })
  reservationId?: string;
}

export class FreePeriodDto {
  @ApiProperty({ example: '2026-12-01T02:30:00.000Z', description: 'earliest grid-aligned start' })
  start: string;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z', description: 'latest end a booking may run until (its clean-down buffer still fits before the next busy period)' })
  end: string;
}

export class AvailabilityDto {
  @ApiProperty({ format: 'uuid' })
  equipmentId: string;

  @ApiProperty({ example: 'Asia/Tokyo', description: 'the center’s time zone, in which the slot grid and bookable hours count' })
  timezone: string;

  @ApiProperty({ example: '2026-11-30T15:00:00.000Z' })
  from: string;

  @ApiProperty({ example: '2026-12-07T15:00:00.000Z' })
  to: string;

  @ApiProperty({ type: [BusyPeriodDto] })
  busy: BusyPeriodDto[];

  @ApiProperty({ type: [FreePeriodDto] })
  free: FreePeriodDto[];
}
