import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { Center } from './center.entity';
import { CentersService } from './centers.service';
import { CenterQueryDto, CreateCenterDto, UpdateCenterDto } from './dto/center.dto';

@ApiTags('centers')
@ApiBearerAuth()
@ApiProblems()
@Controller('centers')
export class CentersController {
  constructor(private readonly centers: CentersService) {}

  /** Every signed-in caller may browse the network's centers. */
  @Get()
  @ApiPage(Center)
  list(@CurrentActor() actor: Actor, @Query() query: CenterQueryDto): Promise<Page<Center>> {
    return this.centers.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Center> {
    return this.centers.get(actor, id);
  }

  @Post()
  @Roles('admin')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateCenterDto): Promise<Center> {
    return this.centers.create(actor, dto);
  }

  @Patch(':id')
  @Roles('admin')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateCenterDto): Promise<Center> {
    return this.centers.update(actor, id, dto);
  }
}
