import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateOrganizationDto, OrganizationQueryDto, UpdateOrganizationDto } from './dto/organization.dto';
import { Organization } from './organization.entity';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@ApiBearerAuth()
@ApiProblems()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  /** Staff and admins see every client organization; a member sees only their own. */
  @Get()
  @ApiPage(Organization)
  list(@CurrentActor() actor: Actor, @Query() query: OrganizationQueryDto): Promise<Page<Organization>> {
    return this.organizations.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Organization> {
    return this.organizations.get(actor, id);
  }

  @Post()
  @Roles('admin', 'staff')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateOrganizationDto): Promise<Organization> {
    return this.organizations.create(actor, dto);
  }

  @Patch(':id')
  @Roles('admin', 'staff')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateOrganizationDto): Promise<Organization> {
    return this.organizations.update(actor, id, dto);
  }
}
