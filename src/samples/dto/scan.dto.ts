import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { SAMPLE_ACTIONS, SampleAction } from '../sample-lifecycle';

/** Sample actions a scan cannot record: they need more than one label and a few fields. */
const NOT_BY_SCAN = ['reinstate', 'split', 'combine', 'correct'] as const;
type ScannableAction = Exclude<SampleAction, (typeof NOT_BY_SCAN)[number]>;

/** `identify` only reads; `assign` binds a pre-printed label; the rest are the sample actions. */
export type ScanAction = 'identify' | 'assign' | ScannableAction;
export const SCAN_ACTIONS: readonly ScanAction[] = [
  'identify',
  'assign',
  ...SAMPLE_ACTIONS.filter((action): action is ScannableAction => !(NOT_BY_SCAN as readonly string[]).includes(action)),
];

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
