import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor, canManageCenter } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { AppError } from '../common/errors/app-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { Label } from '../labels/label.entity';
import { LabelsService } from '../labels/labels.service';
import { AssignLabelDto, LabelBatchDto, VoidLabelDto } from './dto/label.dto';
import { ScanService } from './scan.service';

/**
 * Label administration. Lives with the samples because binding a label needs the sample (or
 * location) it is bound to; the identifiers themselves are the labels module's.
 */
@ApiTags('labels')
@ApiBearerAuth()
@ApiProblems()
@Controller('labels')
export class LabelsController {
  constructor(
    private readonly labels: LabelsService,
    private readonly scans: ScanService,
  ) {}

  /** Pre-prints a roll: unassigned labels of a center, to bind later by scanning. */
  @Post('batch')
  @Roles('admin', 'staff')
  async batch(@CurrentActor() actor: Actor, @Body() dto: LabelBatchDto): Promise<{ items: (Label & { url: string })[] }> {
    const created = await this.labels.batch(actor, dto.centerId, dto.count);
    return { items: created.map((label) => ({ ...label, url: this.labels.urlOf(label.id) })) };
  }

  /** What a label is bound to (staff), by ID as printed or typed. */
  @Get(':id')
  @Roles('admin', 'staff')
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<Label & { url: string }> {
    const label = await this.labels.resolve(id, 'id');
    if (!canManageCenter(actor, label.centerId)) throw AppError.notFound('label', label.id);
    return { ...label, url: this.labels.urlOf(label.id) };
  }

  /** Binds a pre-printed label to a sample or location of its center. */
  @Post(':id/assign')
  @HttpCode(200)
  @Roles('admin', 'staff')
  assign(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: AssignLabelDto): Promise<unknown> {
    return this.scans.bindLabel(actor, id, dto);
  }

  /** Voids a damaged label; print a new one for the sample, whose code does not change. */
  @Post(':id/void')
  @HttpCode(200)
  @Roles('admin', 'staff')
  void(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: VoidLabelDto): Promise<Label> {
    return this.labels.void(actor, id, dto.reason);
  }
}
