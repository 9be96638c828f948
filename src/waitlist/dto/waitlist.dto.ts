import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { IsIsoTimeWithOffset } from '../../common/validation/iso-time';


export class JoinWaitlistDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  equipmentId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  projectId: string;

  @ApiProperty({ example: '2026-12-01T09:00:00+09:00', description: 'start of the window you could use' })
  @IsIsoTimeWithOffset()
  start: string;

  @ApiProperty({ example: '2026-12-01T18:00:00+09:00', description: 'end of the window you could use' })
  @IsIsoTimeWithOffset()
  end: string;

  @ApiPropertyOptional({ example: 120, description: 'how long you need (default: the whole window)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(43_200)
  minutes?: number;

  @ApiPropertyOptional({ enum: ['self', 'assisted', 'remote'], default: 'self' })
  @IsOptional()
  @IsIn(['self', 'assisted', 'remote'])
  mode?: 'self' | 'assisted' | 'remote';
}

export class WaitlistQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ enum: ['waiting', 'offered', 'booked', 'expired', 'withdrawn'] })
  @IsOptional()
  @IsIn(['waiting', 'offered', 'booked', 'expired', 'withdrawn'])
  status?: string;
}
