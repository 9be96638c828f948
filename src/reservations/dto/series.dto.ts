import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { Reservation } from '../reservation.entity';
import { CreateReservationDto } from './reservation.dto';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';

export class CreateSeriesDto extends CreateReservationDto {
  @ApiProperty({ example: 'FREQ=WEEKLY;BYDAY=TU;COUNT=8', description: 'RFC 5545 RRULE (without DTSTART); must end with COUNT or UNTIL' })
  @IsString()
  @MinLength(5)
  @MaxLength(500)
  rrule: string;
}

export class CancelSeriesDto {
  @ApiPropertyOptional({ example: '2027-01-01T00:00:00+09:00', description: 'cancel occurrences starting at or after this time (default: now)' })
  @IsOptional()
  @IsIsoTimeWithOffset()
  from?: string;

  @ApiPropertyOptional({ example: 'Project paused' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class SeriesConflictDto {
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty({ example: 409 }) status: number;
  @ApiProperty() detail: string;
}

export class SeriesResultDto {
  @ApiProperty({ format: 'uuid' }) seriesId: string;
  @ApiProperty({ type: [Reservation] }) booked: Reservation[];
  @ApiProperty({ type: [SeriesConflictDto], description: 'occurrences that could not be booked, and why' }) conflicts: SeriesConflictDto[];
}
