import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { Page, PageQueryDto } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateEquipmentDto, EquipmentQueryDto, UpdateEquipmentDto } from './dto/equipment.dto';
import { EQUIPMENT_PAGE_SCHEMA } from './equipment-page.schema';
import { EquipmentStatusChange } from './equipment-status-change.entity';
import { Equipment } from './equipment.entity';
import { EquipmentService } from './equipment.service';

@ApiTags('equipment')
@ApiBearerAuth()
@ApiProblems()
@Controller('equipment')
export class EquipmentController {
  constructor(private readonly equipment: EquipmentService) {}

  /** The network's tools, ordered by code. */
  @Get()
  @ApiPage(Equipment)
  @RouteSchema({ response: EQUIPMENT_PAGE_SCHEMA })
  list(@Query() query: EquipmentQueryDto): Promise<Page<Equipment>> {
    return this.equipment.list(query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Equipment> {
    return this.equipment.get(actor, id);
  }

  /** Every status change with who, when and why, newest first. */
  @Get(':id/status-history')
  @ApiPage(EquipmentStatusChange)
  statusHistory(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Query() query: PageQueryDto): Promise<Page<EquipmentStatusChange>> {
    return this.equipment.statusHistory(actor, id, query);
  }

  @Post()
  @Roles('admin', 'staff')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateEquipmentDto): Promise<Equipment> {
    return this.equipment.create(actor, dto);
  }

  /** Any creatable field; a `status` change needs a `statusReason` and is kept in the status history. */
  @Patch(':id')
  @Roles('admin', 'staff')
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: UpdateEquipmentDto): Promise<Equipment> {
    return this.equipment.update(actor, id, dto);
  }
}
