import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiProperty, ApiPropertyOptional, ApiUnauthorizedResponse } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'policy.slotMinutes' })
  field: string;

  @ApiProperty({ example: 'must not be less than 1' })
  message: string;
}

/** RFC 9457 problem details, the body of every error response (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({ example: 'https://foundry-hub.dev/problems/validation' })
  type: string;

  @ApiProperty({ example: 'Invalid request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'policy.slotMinutes: must not be less than 1' })
  detail: string;

  @ApiPropertyOptional({ example: '/api/v1/equipment' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'every bad field, for 400 responses' })
  errors?: FieldErrorDto[];
}

const problem = { type: ProblemDto };

/** The error responses every authenticated endpoint can give. */
export function ApiProblems() {
  return applyDecorators(
    ApiBadRequestResponse({ ...problem, description: 'Bad input: every bad field is named' }),
    ApiUnauthorizedResponse({ ...problem, description: 'No, an expired or an invalid credential' }),
    ApiForbiddenResponse({ ...problem, description: 'The caller’s role does not allow this' }),
    ApiNotFoundResponse({ ...problem, description: 'No such object, or one the caller may not see' }),
  );
}
