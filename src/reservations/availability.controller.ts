import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { UuidPipe } from '../common/validation/validation';
import { AvailabilityService } from './availability.service';
import { AvailabilityDto, AvailabilityQueryDto, MAX_AVAILABILITY_DAYS } from './dto/availability.dto';

const DESCRIPTION = `Busy periods and free intervals of one tool in the window [from, to) (at most ${MAX_AVAILABILITY_DAYS} days).

**busy**: every pending, confirmed or in-use reservation (bookings and maintenance) whose stored
period overlaps the window, clipped to it. A period runs from the booked start to the booked end
**plus the clean-down buffer**. Another organization's period shows only its times, kind and status;
\`reservationId\` is given to staff and admins for all periods and to members for their
organization's. \`mine\` marks the caller's organization's reservations and those held by the caller.

**free**: maximal intervals [start, end) a booking of \`duration\` minutes (default: the policy's
minMinutes) may occupy. \`start\` is the earliest start on the slot grid (slotMinutes from local
midnight in the center's \`timezone\`), not before now + leadMinutes and not after the horizon.
\`end\` is the earliest of: the closing time of the bookable-hours window, \`to\`, bufferMinutes
before the next busy period (the new booking's own clean-down must stay clear of it), and
horizon + duration. Every interval is at least \`duration\` long; an interval never spans two
bookable-hours windows (a booking may not cross closed hours). So a booking [s, s + d) fits when s
is on the grid, start ≤ s, s + d ≤ end and d ≥ duration is an allowed length. Free is empty
while the equipment is not \`available\`. Per-user rules (qualification, quotas) are not applied.

All times are answered in UTC; the grid and the bookable hours count in the center's time zone.`;

@ApiTags('equipment')
@ApiBearerAuth()
@ApiProblems()
@Controller('equipment')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get(':id/availability')
  @ApiOperation({ summary: 'Busy periods and free intervals of a tool', description: DESCRIPTION })
  @ApiOkResponse({ type: AvailabilityDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: AvailabilityQueryDto): Promise<AvailabilityDto> {
    return this.availability.availability(actor, id, query);
  }
}
