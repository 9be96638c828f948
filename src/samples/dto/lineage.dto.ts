import { ApiProperty } from '@nestjs/swagger';

/** One sample in a lineage graph. */
export class LineageNodeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'KNS-26-000123' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty() form: string;
  @ApiProperty() state: string;
  @ApiProperty({ type: Number, nullable: true }) quantity: number | null;
  @ApiProperty({ type: String, nullable: true }) unit: string | null;
}

/** A parent → child link: a piece cut from its parent (`split`) or an input pooled into it (`combine`). */
export class LineageEdgeDto {
  @ApiProperty({ format: 'uuid' }) parentId: string;
  @ApiProperty({ format: 'uuid' }) childId: string;
  @ApiProperty({ enum: ['split', 'combine'] }) kind: 'split' | 'combine';
  @ApiProperty({ example: { dieX: 3, dieY: 7 }, type: 'object', additionalProperties: true }) descriptor: Record<string, unknown>;
}

export class LineageGraphDto {
  @ApiProperty({ format: 'uuid' }) root: string;
  @ApiProperty({ type: [LineageNodeDto] }) nodes: LineageNodeDto[];
  @ApiProperty({ type: [LineageEdgeDto] }) edges: LineageEdgeDto[];
}
