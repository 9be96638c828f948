import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { ApiProblems } from '../common/errors/problem.dto';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Roles } from '../common/auth/decorators';
import { Page, PageQueryDto } from '../common/pagination/cursor';
import { AuditEntry } from './audit-entry.entity';
import { ChainVerdict } from './audit-hash';
import { AuditService } from './audit.service';

export class AuditQueryDto extends PageQueryDto {
  /** Singular snake_case resource name, e.g. `organization`, `equipment`. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_]{2,40}$/, { message: 'must be a singular snake_case resource name such as equipment' })
  entity?: string;

  /** The id of the entity whose history to list. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;
}

class BrokenLinkDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'equipment' }) entity: string;
  @ApiProperty() entityId: string;
  @ApiProperty() seq: number;
  @ApiProperty({ example: 'hash does not match the entry' }) reason: string;
}

class ChainVerdictDto implements ChainVerdict {
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'entries checked' }) checked: number;
  @ApiPropertyOptional({ type: BrokenLinkDto }) firstBroken?: BrokenLinkDto;
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiProblems()
@Controller('audit')
@Roles('admin', 'staff')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first; filter by entity and id to see one object's history. */
  @Get()
  @ApiPage(AuditEntry)
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(query);
  }

  /** Re-computes every hash chain and reports the first broken link. */
  @Get('verify')
  @ApiOkResponse({ type: ChainVerdictDto })
  verify(): Promise<ChainVerdict> {
    return this.audit.verify();
  }
}
