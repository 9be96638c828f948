import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Role } from '../common/auth/actor';
import { AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from '../common/auth/decorators';
import { requestIdOf } from '../common/request/request-id';
import { AppError } from '../common/errors/app-error';
import { AuthService } from './auth.service';

/** Global guard: every route needs a valid bearer credential unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw AppError.unauthorized();
    request.actor = await this.auth.authenticate(match[1], requestIdOf(request));
    // The access log (pino-http) sees the raw request: tell it who called.
    (request.raw as typeof request.raw & { actorId?: string }).actorId = request.actor.id;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(request.actor.role)) throw AppError.forbidden();
    return true;
  }
}
