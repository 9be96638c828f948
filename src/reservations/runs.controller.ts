import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { UuidPipe } from '../common/validation/validation';
import { CreateRunDto } from './dto/run.dto';
import { RunsService, RunView } from './runs.service';

@ApiTags('reservations')
@ApiBearerAuth()
@ApiProblems()
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  /**
   * Books a foundry flow: every step on its tool at given times, or as early as possible from
   * `earliestStart`. All steps are booked in one transaction or none is (409 or 422 naming the step).
   */
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateRunDto): Promise<RunView> {
    return this.runs.create(actor, dto);
  }

  /** The run with its steps; its status follows from theirs. */
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<RunView> {
    return this.runs.get(actor, id);
  }
}
