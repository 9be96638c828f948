import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Actor, canManageCenter } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { AppError } from '../common/errors/app-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { UuidPipe } from '../common/validation/validation';
import { LocationsService } from '../locations/locations.service';
import { LocationMove, SampleEventsService } from './sample-events.service';

class LocationHistoryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** The move history of a storage location, from the samples' custody records (staff only). */
@ApiTags('locations')
@ApiBearerAuth()
@ApiProblems()
@Controller('locations')
export class LocationHistoryController {
  constructor(
    private readonly locations: LocationsService,
    private readonly events: SampleEventsService,
  ) {}

  @Get(':id/history')
  @Roles('admin', 'staff')
  async history(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: LocationHistoryQueryDto): Promise<{ items: LocationMove[] }> {
    const location = await this.locations.get(actor, id);
    if (!canManageCenter(actor, location.centerId)) throw AppError.notFound('location', id);
    return { items: await this.events.locationHistory(id, query.limit ?? 200) };
  }
}
