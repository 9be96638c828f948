import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Actor, Role } from './actor';

export const PUBLIC_KEY = 'foundry:public';
export const ROLES_KEY = 'foundry:roles';

/** The route needs no credentials. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Only these roles may call the route; others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

/** The caller, as resolved by the auth guard. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new Error('CurrentActor used on a public route');
  return request.actor;
});
