import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateLocationDto, LocationQueryDto, LocationTreeQueryDto } from './dto/location.dto';
import { Location } from './location.entity';
import { LocationsService, LocationTreeNode, LocationView } from './locations.service';

@ApiTags('locations')
@ApiBearerAuth()
@ApiProblems()
@Controller('locations')
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  /** One level of the storage tree (the top level, or the children of `parentId`), with occupancy. */
  @Get()
  @ApiPage(Location)
  list(@CurrentActor() actor: Actor, @Query() query: LocationQueryDto): Promise<Page<Location & { labelId: string | null }>> {
    return this.locations.list(actor, query);
  }

  /** A center's whole storage tree, nested, with capacity and occupancy of every place. */
  @Get('tree')
  tree(@Query() query: LocationTreeQueryDto): Promise<LocationTreeNode[]> {
    return this.locations.tree(query.centerId, query.depth);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<LocationView> {
    return this.locations.get(actor, id);
  }

  @Post()
  @Roles('admin', 'staff')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateLocationDto): Promise<LocationView> {
    return this.locations.create(actor, dto);
  }
}
