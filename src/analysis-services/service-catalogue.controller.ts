import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateServiceOfferingDto, ServiceOfferingQueryDto, UpdateServiceOfferingDto } from './dto/service-offering.dto';
import { ServiceCatalogueService } from './service-catalogue.service';
import { ServiceOffering } from './service-offering.entity';

@ApiTags('services')
@ApiBearerAuth()
@ApiProblems()
@Controller('services')
export class ServiceCatalogueController {
  constructor(private readonly catalogue: ServiceCatalogueService) {}

  /** The analysis services of every center (or one), by code. */
  @Get()
  @ApiPage(ServiceOffering)
  list(@CurrentActor() actor: Actor, @Query() query: ServiceOfferingQueryDto): Promise<Page<ServiceOffering>> {
    return this.catalogue.list(actor, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ServiceOffering })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ServiceOffering> {
    return this.catalogue.get(actor, id);
  }

  @Post()
  @Roles('admin', 'staff')
  @ApiCreatedResponse({ type: ServiceOffering })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateServiceOfferingDto): Promise<ServiceOffering> {
    return this.catalogue.create(actor, dto);
  }

  @Patch(':id')
  @Roles('admin', 'staff')
  @ApiOkResponse({ type: ServiceOffering })
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateServiceOfferingDto): Promise<ServiceOffering> {
    return this.catalogue.update(actor, id, dto);
  }
}
