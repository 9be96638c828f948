import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateQualificationDto, QualificationQueryDto } from './dto/qualification.dto';
import { Qualification } from './qualification.entity';
import { QualificationsService } from './qualifications.service';

@ApiTags('qualifications')
@ApiBearerAuth()
@ApiProblems()
@Controller('qualifications')
export class QualificationsController {
  constructor(private readonly qualifications: QualificationsService) {}

  /** Who may operate which tool, oldest grant first; a member sees only their organization's. */
  @Get()
  @ApiPage(Qualification)
  list(@CurrentActor() actor: Actor, @Query() query: QualificationQueryDto): Promise<Page<Qualification>> {
    return this.qualifications.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Qualification> {
    return this.qualifications.get(actor, id);
  }

  /** Staff of the tool's center (or an admin) qualify an active user on it. */
  @Post()
  @Roles('admin', 'staff')
  grant(@CurrentActor() actor: Actor, @Body() dto: CreateQualificationDto): Promise<Qualification> {
    return this.qualifications.grant(actor, dto);
  }

  /** Revokes the qualification (it is kept, with `revokedAt` set) and answers the row. */
  @Delete(':id')
  @Roles('admin', 'staff')
  revoke(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Qualification> {
    return this.qualifications.revoke(actor, id);
  }
}
