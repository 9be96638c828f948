import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { Reservation } from '../reservations/reservation.entity';
import { JoinWaitlistDto, WaitlistQueryDto } from './dto/waitlist.dto';
import { WaitlistEntry } from './waitlist-entry.entity';
import { WaitlistService } from './waitlist.service';

@ApiTags('waitlist')
@ApiBearerAuth()
@ApiProblems()
@Controller('waitlist')
export class WaitlistController {
  constructor(private readonly waitlist: WaitlistService) {}

  /**
   * Waits for time on a busy tool: when time inside the window frees up (a cancellation, a
   * shortened booking, a no-show), the first in line is offered it for an hour, then the next.
   */
  @Post()
  join(@CurrentActor() actor: Actor, @Body() dto: JoinWaitlistDto): Promise<WaitlistEntry> {
    return this.waitlist.join(actor, dto);
  }

  @Get()
  @ApiPage(WaitlistEntry)
  list(@CurrentActor() actor: Actor, @Query() query: WaitlistQueryDto): Promise<Page<WaitlistEntry>> {
    return this.waitlist.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<WaitlistEntry> {
    return this.waitlist.get(actor, id);
  }

  /** Books the offered time (409 if it was taken meanwhile; the entry then waits again). */
  @Post(':id/accept')
  accept(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Reservation> {
    return this.waitlist.accept(actor, id);
  }

  @Delete(':id')
  @HttpCode(200)
  withdraw(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<WaitlistEntry> {
    return this.waitlist.withdraw(actor, id);
  }
}
