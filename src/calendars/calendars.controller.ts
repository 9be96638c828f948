import { Body, Controller, Delete, Get, Header, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Public } from '../common/auth/decorators';
import { AppError } from '../common/errors/app-error';
import { ApiProblems, ProblemDto } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { CalendarFeed } from './calendar-feed.entity';
import { CalendarsService } from './calendars.service';
import { CalendarFeedQueryDto, CreateCalendarFeedDto, CreatedCalendarFeedDto } from './dto/calendar-feed.dto';

const ICS_SUFFIX = '.ics';

@ApiTags('calendars')
@Controller('calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  /**
   * Creates a secret calendar feed: your own bookings (`user`) or one tool's schedule
   * (`equipment`). The token and the subscription `url` are shown once; keep the url private.
   */
  @Post()
  @ApiBearerAuth()
  @ApiProblems()
  @ApiCreatedResponse({ type: CreatedCalendarFeedDto })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateCalendarFeedDto): Promise<CreatedCalendarFeedDto> {
    return this.calendars.create(actor, dto);
  }

  /** Your own feeds, newest first (without tokens). */
  @Get()
  @ApiBearerAuth()
  @ApiProblems()
  @ApiPage(CalendarFeed)
  list(@CurrentActor() actor: Actor, @Query() query: CalendarFeedQueryDto): Promise<Page<CalendarFeed>> {
    return this.calendars.list(actor, query);
  }

  /**
   * The feed as iCalendar, for calendar apps to subscribe to. The token is the credential:
   * an unknown or revoked one is a 404. Times carry the center's time zone.
   */
  @Get(':file')
  @Public()
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'An iCalendar (RFC 5545) document', content: { 'text/calendar': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such feed, or a revoked one' })
  @Header('content-type', 'text/calendar; charset=utf-8')
  @Header('cache-control', 'private, no-store')
  feed(@Param('file') file: string): Promise<string> {
    if (!file.endsWith(ICS_SUFFIX)) throw AppError.notFound('calendar feed');
    return this.calendars.render(file.slice(0, -ICS_SUFFIX.length));
  }

  /** Revokes a feed at once (its owner or an admin); the token may be given with or without `.ics`. */
  @Delete(':token')
  @ApiBearerAuth()
  @ApiProblems()
  revoke(@CurrentActor() actor: Actor, @Param('token') token: string): Promise<CalendarFeed> {
    return this.calendars.revoke(actor, token);
  }
}
