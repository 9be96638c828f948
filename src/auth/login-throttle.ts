import { ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ThrottlerOptions } from '@nestjs/throttler';
import type { AppConfig } from '../infra/config/app-config';

const LOGIN_ROUTE = 'foundry:login-route';

/** Marks the route whose attempts are limited per account and per IP. */
export const LoginRoute = () => SetMetadata(LOGIN_ROUTE, true);

const isLogin = (context: ExecutionContext) => Reflect.getMetadata(LOGIN_ROUTE, context.getHandler()) === true;
const MINUTE = 60_000;

/**
 * A generous per-caller limit everywhere (bursts of real work pass), and two strict ones on
 * login: per claimed account, against password guessing, and per IP, against spraying.
 */
export function throttlers(config: AppConfig): ThrottlerOptions[] {
  return [
    {
      name: 'default',
      ttl: MINUTE,
      limit: config.rateLimitPerMinute,
      getTracker: (req) => (req.actor?.id as string | undefined) ?? (req.ip as string),
    },
    {
      name: 'login-ip',
      ttl: MINUTE,
      limit: config.loginLimitPerIp,
      blockDuration: MINUTE,
      skipIf: (context) => !isLogin(context),
      getTracker: (req) => req.ip as string,
    },
    {
      name: 'login-account',
      ttl: 15 * MINUTE,
      limit: config.loginLimitPerAccount,
      blockDuration: 15 * MINUTE,
      skipIf: (context) => !isLogin(context),
      getTracker: (req) => `account:${String(req.body?.email ?? '').trim().toLowerCase()}`,
    },
  ];
}
