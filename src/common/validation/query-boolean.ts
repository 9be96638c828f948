import { TransformFnParams } from 'class-transformer';

/** Query strings carry `true`/`false` as text; anything else is left for @IsBoolean to refuse. */
export function toBoolean({ value }: TransformFnParams): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}
