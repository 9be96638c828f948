import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
@Roles('admin', 'staff')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first; filter by entity and id to see one object's history. */
  @Get()
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(query);
  }

  /** Re-computes every hash chain and reports the first broken link. */
  @Get('verify')
  verify(): Promise<ChainVerdict> {
    return this.audit.verify();
  }
}
