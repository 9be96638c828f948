import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export const SCAN_ACTIONS = [
  'identify',
  'assign',
  'receive',
  'store',
  'check-out',
  'check-in',
  'process-step',
  'measure',
  'hold',
  'release',
  'reject',
  'ship',
  'return',
  'dispose',
  'cancel',
] as const;
export type ScanAction = (typeof SCAN_ACTIONS)[number];

/** One scan from a handheld scanner or app: the label read, what to do, and the context. */
export class ScanDto {
  @ApiProperty({ example: '7KQ2M9XD4R', description: 'the label as scanned: its ID or the whole URL' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  label: string;

  @ApiProperty({ enum: SCAN_ACTIONS, description: '`identify` only reads; `assign` binds a pre-printed label to `payload.sampleId`' })
  @IsIn(SCAN_ACTIONS)
  action: ScanAction;

  @ApiPropertyOptional({ example: 'Q8M2X7PK3T', description: 'a location label scanned with it: where to store, receive or check in' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  locationLabel?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  reservationId?: string;

  @ApiPropertyOptional({ description: "the action's own fields, as for POST /samples/{id}/{action}" })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}
