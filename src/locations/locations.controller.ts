import { Body, Controller, Get, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { LabelPrintQueryDto } from '../labels/label-print-query.dto';
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

  /** The location's label as a PDF sized to the medium: scanning it with a sample stores the sample here. */
  @Get(':id/label.pdf')
  @ApiProduces('application/pdf')
  async labelPdf(@Param('id', UuidPipe) id: string, @Query() query: LabelPrintQueryDto): Promise<StreamableFile> {
    const stream = await this.locations.labelPdf(id, query.media ?? 'brother-62x29', query.ecc ?? 'M');
    return new StreamableFile(stream, { type: 'application/pdf', disposition: `inline; filename="location-${id}.pdf"` });
  }

  @Post()
  @Roles('admin', 'staff')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateLocationDto): Promise<LocationView> {
    return this.locations.create(actor, dto);
  }
}
