import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { PROBLEM_STATUSES, PROBLEM_URGENCIES, ProblemStatus, ProblemUrgency } from '../equipment-problem.entity';

export class ReportProblemDto {
  @ApiProperty({ example: 'Chamber pressure does not go below 5e-5 Pa; pump-down takes over an hour' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description: string;

  @ApiProperty({ enum: PROBLEM_URGENCIES, example: 'high' })
  @IsIn(PROBLEM_URGENCIES)
  urgency: ProblemUrgency;

  @ApiPropertyOptional({ example: false, default: false, description: 'a risk to people: the center is notified by e-mail at once' })
  @IsOptional()
  @IsBoolean()
  safetyHazard?: boolean;
}

export class ResolveProblemDto {
  @ApiProperty({ example: 'Turbo pump replaced; base pressure 2e-6 Pa after bake-out' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  resolution: string;
}

export class ProblemQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PROBLEM_STATUSES })
  @IsOptional()
  @IsIn(PROBLEM_STATUSES)
  status?: ProblemStatus;
}
