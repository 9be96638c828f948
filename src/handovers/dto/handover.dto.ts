import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PLATFORM_STATUSES, PlatformStatus } from '../handover-lifecycle';

export class CreateHandoverTargetDto {
  @ApiProperty({ example: 'DX platform (staging)' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: ['http', 'folder'] })
  @IsIn(['http', 'folder'])
  kind: 'http' | 'folder';

  @ApiPropertyOptional({ example: 'https://dx.example.jp/api', description: 'http: the base URL' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  @MaxLength(500)
  url?: string;

  @ApiPropertyOptional({ description: 'http: the shared HMAC secret (at least 32 characters)' })
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({ example: '/srv/dx-dropbox', description: 'folder: where packages are dropped' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  folder?: string;

  @ApiPropertyOptional({ description: 'outside Japan: only data classified not-applicable' })
  @IsOptional()
  @IsBoolean()
  abroad?: boolean;

  @ApiPropertyOptional({ description: 'a public repository: never receives closed data' })
  @IsOptional()
  @IsBoolean()
  openRepository?: boolean;

  @ApiPropertyOptional({ description: 'used when a handover names no target' })
  @IsOptional()
  @IsBoolean()
  default?: boolean;
}

export class RequestHandoverDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'default: the default target' })
  @IsOptional()
  @IsUUID()
  targetId?: string;
}

export class ReleaseHandoverDto {
  @ApiProperty({ example: 'Checked against the export list: not applicable (no controlled technology)' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

/** What the platform reports about a delivered package (signed with the target's secret). */
export class HandoverCallbackDto {
  @ApiProperty({ example: 'evt_01J…', description: 'unique per event: a replay is refused' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  eventId: string;

  @ApiProperty({ example: 'rcpt-4f0c…', description: 'the receipt id the platform gave when it took the package' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  receiptId: string;

  @ApiProperty({ enum: PLATFORM_STATUSES })
  @IsIn(PLATFORM_STATUSES)
  status: PlatformStatus;

  @ApiPropertyOptional({ type: [String], example: ['mdr:1234-5678'], description: 'the platform\'s ids for the data (at most 200 characters together)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  remoteIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'why the platform rejected the package' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  errors?: string[];
}
