import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateReservationDto, ReservationActionDto, ReservationQueryDto, UpdateReservationDto } from './dto/reservation.dto';
import { ReservationUsage } from './reservation-usage.entity';
import { Reservation } from './reservation.entity';
import { ReservationsService } from './reservations.service';

@ApiTags('reservations')
@ApiBearerAuth()
@ApiProblems()
@Controller('reservations')
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  /** Reservations the caller may see (members: their organization's), by start time. */
  @Get()
  @ApiPage(Reservation)
  list(@CurrentActor() actor: Actor, @Query() query: ReservationQueryDto): Promise<Page<Reservation>> {
    return this.reservations.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Reservation> {
    return this.reservations.get(actor, id);
  }

  /** The time actually used (check-in to check-out), which billing charges. */
  @Get(':id/usages')
  @ApiOkResponse({ type: [ReservationUsage] })
  usages(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ReservationUsage[]> {
    return this.reservations.usages(actor, id);
  }

  /**
   * Books equipment time. The policy chain answers 422 naming each broken rule; an overlap with
   * another booking is a 409 naming the clashing period. Staff may override policy rules with
   * `force` and a `reason`, never an overlap.
   */
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateReservationDto): Promise<Reservation> {
    return this.reservations.create(actor, dto);
  }

  /** Moves or resizes a booking atomically: if the new time conflicts, the old slot is kept. */
  @Patch(':id')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateReservationDto): Promise<Reservation> {
    return this.reservations.update(actor, id, dto);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReservationActionDto): Promise<Reservation> {
    return this.reservations.transition(actor, id, 'approve', dto);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReservationActionDto): Promise<Reservation> {
    return this.reservations.transition(actor, id, 'reject', dto);
  }

  /** Cancelling inside the equipment's cancellation window is allowed and recorded as late. */
  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReservationActionDto): Promise<Reservation> {
    return this.reservations.transition(actor, id, 'cancel', dto);
  }

  /** Starts the usage record (from 30 minutes before the booked start). */
  @Post(':id/check-in')
  @HttpCode(200)
  checkIn(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReservationActionDto): Promise<Reservation> {
    return this.reservations.transition(actor, id, 'check-in', dto);
  }

  /** Ends the usage record. */
  @Post(':id/check-out')
  @HttpCode(200)
  checkOut(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReservationActionDto): Promise<Reservation> {
    return this.reservations.transition(actor, id, 'check-out', dto);
  }

  @Post(':id/no-show')
  @HttpCode(200)
  noShow(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReservationActionDto): Promise<Reservation> {
    return this.reservations.transition(actor, id, 'no-show', dto);
  }
}
