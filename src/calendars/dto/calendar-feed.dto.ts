import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { toBoolean } from '../../common/validation/query-boolean';
import { CALENDAR_SCOPES, CalendarScope } from '../calendar-feed.entity';

export class CreateCalendarFeedDto {
  @ApiProperty({ enum: CALENDAR_SCOPES, example: 'user', description: '`user`: your own bookings; `equipment`: one tool’s schedule' })
  @IsIn(CALENDAR_SCOPES)
  scope: CalendarScope;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for an equipment feed; none for a user feed' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;
}

export class CreatedCalendarFeedDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'the feed’s secret token; shown only in this response', example: 'q3Vh7…' })
  token: string;

  @ApiProperty({ description: 'the subscription address for calendar apps; it contains the token', example: 'https://hub.example.jp/api/v1/calendars/q3Vh7….ics' })
  url: string;

  @ApiProperty({ enum: CALENDAR_SCOPES })
  scope: CalendarScope;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  equipmentId: string | null;
}

export class CalendarFeedQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'include revoked feeds' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeRevoked?: boolean;
}
