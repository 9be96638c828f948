import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { ApiKey } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyQueryDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiProblems()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** Issues a key scoped to a role and an organization (members) or centers (staff). The key is shown once. */
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(actor, dto);
  }

  @Get()
  @ApiPage(ApiKey)
  list(@CurrentActor() actor: Actor, @Query() query: ApiKeyQueryDto): Promise<Page<ApiKey>> {
    return this.apiKeys.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ApiKey> {
    return this.apiKeys.get(actor, id);
  }

  /** Revokes the key at once; later requests with it get 401. */
  @Delete(':id')
  revoke(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<ApiKey> {
    return this.apiKeys.revoke(actor, id);
  }
}
