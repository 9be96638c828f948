import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error';
import { toProblem } from './problem.filter';

function pgError(code: string, constraint?: string) {
  return new QueryFailedError('INSERT …', [], Object.assign(new Error('pg'), { code, constraint }));
}

describe('toProblem', () => {
  it('maps named constraints to the field a client sent', () => {
    expect(toProblem(pgError('23505', 'uq_equipment_center_code'))).toMatchObject({ status: 409, errors: [{ field: 'code' }] });
    expect(toProblem(pgError('23505', 'uq_users_email'))).toMatchObject({ status: 409, errors: [{ field: 'email' }] });
    expect(toProblem(pgError('23503', 'fk_whatever'))).toMatchObject({ status: 400 });
    expect(toProblem(pgError('22P02'))).toMatchObject({ status: 400 });
  });

  it('leaves unknown failures unmapped, so they surface as logged 500s', () => {
    expect(toProblem(pgError('40P01'))).toBeNull();
    expect(toProblem(new Error('boom'))).toBeNull();
  });

  it('passes domain errors through', () => {
    const error = AppError.badInput('limit', 'too large');
    expect(toProblem(error)).toBe(error);
  });
});
