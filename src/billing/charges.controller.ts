import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { BillingService, ChargeView } from './billing.service';
import { Charge } from './charge.entity';
import { AdjustChargeDto, ChargeQueryDto } from './dto/charge.dto';

@ApiTags('billing')
@ApiBearerAuth()
@ApiProblems()
@Controller('charges')
export class ChargesController {
  constructor(private readonly billing: BillingService) {}

  /** Charges the caller may see (members: their organization's; staff: their centers'), newest first. */
  @Get()
  @ApiPage(Charge)
  list(@CurrentActor() actor: Actor, @Query() query: ChargeQueryDto): Promise<Page<Charge>> {
    return this.billing.list(actor, query);
  }

  /** One charge, with the adjustments recorded against it and the total they leave (`effectiveAmount`). */
  @Get(':id')
  @ApiOkResponse({ type: Charge })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ChargeView> {
    return this.billing.get(actor, id);
  }

  /**
   * Corrects (`amount`: the corrected total in integer yen) or waives (`waive: true`) a charge,
   * with a reason: a new adjustment charge for the difference, linked to the original, which
   * never changes. Staff of the charge's center and admins only.
   */
  @Post(':id/adjust')
  @Roles('admin', 'staff')
  @ApiCreatedResponse({ type: Charge, description: 'the adjustment charge, with the original’s id in adjustsChargeId' })
  adjust(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: AdjustChargeDto): Promise<ChargeView> {
    return this.billing.adjust(actor, id, dto);
  }
}
