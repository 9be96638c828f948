import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { UuidPipe } from '../common/validation/validation';
import { CancelSeriesDto, CreateSeriesDto, SeriesResultDto } from './dto/series.dto';
import { SeriesService } from './series.service';

@ApiTags('reservations')
@ApiBearerAuth()
@ApiProblems()
@Controller('reservations/series')
export class SeriesController {
  constructor(private readonly series: SeriesService) {}

  /**
   * Books a recurring series from an RRULE (at most 100 occurrences, with COUNT or UNTIL). The
   * answer lists the booked occurrences and, for the others, why they could not be booked.
   */
  @Post()
  @ApiCreatedResponse({ type: SeriesResultDto })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateSeriesDto): Promise<SeriesResultDto> {
    return this.series.create(actor, dto);
  }

  /** Cancels the rest of the series (one occurrence: cancel that reservation). */
  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: CancelSeriesDto): Promise<{ cancelled: number }> {
    return this.series.cancelFrom(actor, id, dto);
  }
}
