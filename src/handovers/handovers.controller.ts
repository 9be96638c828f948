import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Actor } from '../common/auth/actor';
import { CurrentActor, Public, Roles } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page, PageQueryDto } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { CreateHandoverTargetDto, HandoverCallbackDto, ReleaseHandoverDto, RequestHandoverDto } from './dto/handover.dto';
import { HandoverTarget } from './handover-target.entity';
import { Handover } from './handover.entity';
import { HandoversService } from './handovers.service';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

@ApiTags('handover')
@ApiBearerAuth()
@ApiProblems()
@Controller()
export class HandoversController {
  constructor(private readonly handovers: HandoversService) {}

  @Get('handover-targets')
  @Roles('admin')
  listTargets(): Promise<HandoverTarget[]> {
    return this.handovers.listTargets();
  }

  /** Adds a target: `http` (url and secret) or `folder`; `abroad`, `openRepository` and `default` as flags. */
  @Post('handover-targets')
  @Roles('admin')
  createTarget(@CurrentActor() actor: Actor, @Body() dto: CreateHandoverTargetDto): Promise<HandoverTarget> {
    return this.handovers.createTarget(actor, dto);
  }

  /**
   * Hands a dataset version over (its owner organization or center staff): queued and sent by
   * the worker, or held while its export-control classification is not `not-applicable`.
   */
  @Post('datasets/:id/handover')
  request(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: RequestHandoverDto): Promise<Handover> {
    return this.handovers.request(actor, id, dto);
  }

  @Get('handovers')
  @ApiPage(Handover)
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<Handover>> {
    return this.handovers.list(actor, query);
  }

  /** Status callbacks from the platform, naming the handover by its receipt id, signed with the target's secret (see the README). */
  @Post('handovers/callbacks')
  @Public()
  @HttpCode(200)
  @ApiHeader({ name: TIMESTAMP_HEADER, description: 'Unix seconds' })
  @ApiHeader({ name: SIGNATURE_HEADER, description: 'sha256=<hex HMAC-SHA256(secret, "<timestamp>.<sha256 hex of the body>")>' })
  callback(
    @Headers(TIMESTAMP_HEADER) timestamp: string | undefined,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Body() dto: HandoverCallbackDto,
  ): Promise<Handover> {
    return this.handovers.callback(timestamp, signature, request.rawBody, dto);
  }

  /** The handover; for a delivered or registered one, the target is asked how far it has got (when it supports asking). */
  @Get('handovers/:id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Handover> {
    return this.handovers.getAndPoll(actor, id);
  }

  /** Staff clear a held handover by classifying the data not-applicable, with a reason. */
  @Post('handovers/:id/release')
  @HttpCode(200)
  @Roles('admin', 'staff')
  release(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ReleaseHandoverDto): Promise<Handover> {
    return this.handovers.release(actor, id, dto);
  }

  @Post('handovers/:id/retry')
  @HttpCode(200)
  @Roles('admin', 'staff')
  retry(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<Handover> {
    return this.handovers.retry(actor, id);
  }
}
