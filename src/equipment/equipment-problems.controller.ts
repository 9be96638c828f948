import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { ProblemQueryDto, ReportProblemDto, ResolveProblemDto } from './dto/equipment-problem.dto';
import { EquipmentProblem, EquipmentProblemView } from './equipment-problem.entity';
import { EquipmentProblemsService } from './equipment-problems.service';

@ApiTags('equipment')
@ApiBearerAuth()
@ApiProblems()
@Controller('equipment')
export class EquipmentProblemsController {
  constructor(private readonly problems: EquipmentProblemsService) {}

  /** The tool's problem history, newest first; a member is not told who reported another organization's problem. */
  @Get(':id/problems')
  @ApiPage(EquipmentProblem)
  list(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: ProblemQueryDto): Promise<Page<EquipmentProblemView>> {
    return this.problems.list(actor, id, query);
  }

  /** Anyone may report a problem; a safety hazard is mailed to the center's contact address. */
  @Post(':id/problems')
  report(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReportProblemDto): Promise<EquipmentProblemView> {
    return this.problems.report(actor, id, dto);
  }

  /** The problem forces a shutdown: the tool goes `down` until every such problem is resolved. */
  @Post(':id/problems/:problemId/shutdown')
  @HttpCode(200)
  @Roles('admin', 'staff')
  shutdown(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Param('problemId', UuidPipe) problemId: string): Promise<EquipmentProblemView> {
    return this.problems.shutdown(actor, id, problemId);
  }

  /** Resolves the problem; the tool returns to `available` when no open problem forces a shutdown any more. */
  @Post(':id/problems/:problemId/resolve')
  @HttpCode(200)
  @Roles('admin', 'staff')
  resolve(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Param('problemId', UuidPipe) problemId: string,
    @Body() dto: ResolveProblemDto,
  ): Promise<EquipmentProblemView> {
    return this.problems.resolve(actor, id, problemId, dto);
  }
}
