import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateProjectDto, ProjectQueryDto, UpdateProjectDto } from './dto/project.dto';
import { Project } from './project.entity';
import { ProjectsService } from './projects.service';

@ApiTags('projects')
@ApiBearerAuth()
@ApiProblems()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Billing accounts; a member sees only their organization's. */
  @Get()
  @ApiPage(Project)
  list(@CurrentActor() actor: Actor, @Query() query: ProjectQueryDto): Promise<Page<Project>> {
    return this.projects.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Project> {
    return this.projects.get(actor, id);
  }

  /** Rate categories decide prices, so the center sets projects up. */
  @Post()
  @Roles('admin', 'staff')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateProjectDto): Promise<Project> {
    return this.projects.create(actor, dto);
  }

  @Patch(':id')
  @Roles('admin', 'staff')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateProjectDto): Promise<Project> {
    return this.projects.update(actor, id, dto);
  }
}
