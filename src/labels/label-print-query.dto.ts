import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LABEL_MEDIA_NAMES, LabelMediaName } from './label-media';

/** How to print a label: the medium, and the QR error correction level. */
export class LabelPrintQueryDto {
  @ApiPropertyOptional({ enum: LABEL_MEDIA_NAMES, description: 'default: brother-62x29 for one label, a4-sheet for many' })
  @IsOptional()
  @IsIn(LABEL_MEDIA_NAMES)
  media?: LabelMediaName;

  @ApiPropertyOptional({ enum: ['M', 'Q'], default: 'M', description: 'Q for labels that live in solvents, cold rooms or furnaces' })
  @IsOptional()
  @IsIn(['M', 'Q'])
  ecc?: 'M' | 'Q';
}
