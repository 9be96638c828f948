import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, FieldError, PROBLEM_TYPE_BASE, ProblemKind } from './app-error';
import { fromPgError } from './pg-error';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const KIND_BY_STATUS: Record<number, ProblemKind> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'invalid-transition',
  429: 'rate-limited',
  503: 'unavailable',
};

/** Fastify's own errors (body parsing, limits) carry a statusCode and an FST_* code. */
function fromFastifyError(error: unknown): AppError | null {
  const candidate = error as { statusCode?: number; code?: string; message?: string };
  if (typeof candidate?.statusCode !== 'number' || typeof candidate.code !== 'string') return null;
  const kind = KIND_BY_STATUS[candidate.statusCode];
  if (!kind) return null;
  if (candidate.code.startsWith('FST_ERR_CTP')) {
    const message =
      candidate.statusCode === 413
        ? 'the request body is too large'
        : candidate.statusCode === 415
          ? 'this content type is not accepted; send application/json'
          : 'the request body is not valid JSON';
    return new AppError(kind, message, [{ field: 'body', message }]);
  }
  return new AppError(kind, candidate.message ?? 'request refused');
}

function fromHttpException(error: HttpException): AppError {
  const status = error.getStatus();
  if (error instanceof ThrottlerException) return new AppError('rate-limited', 'Too many requests; try again later');
  const kind = KIND_BY_STATUS[status] ?? (status >= 500 ? 'unavailable' : 'validation');
  const response = error.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : Array.isArray((response as { message?: unknown }).message)
        ? ((response as { message: string[] }).message.join('; '))
        : String((response as { message?: unknown }).message ?? error.message);
  const appError = new AppError(kind, message);
  (appError as { status: number }).status = status;
  return appError;
}

export function toProblem(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException with the original as cause.
  if (error instanceof HttpException) return fromFastifyError(error.cause) ?? fromHttpException(error);
  return fromPgError(error) ?? fromFastifyError(error);
}

/** Every error leaves as RFC 9457 `application/problem+json`; anything unexpected is logged as a bug. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = toProblem(error);
    const body: ProblemBody = problem
      ? {
          type: PROBLEM_TYPE_BASE + problem.kind,
          title: problem.title,
          status: problem.status,
          detail: problem.detail,
          instance: request?.url?.split('?')[0],
          ...(problem.errors ? { errors: problem.errors } : {}),
          ...(problem.extensions ?? {}),
        }
      : {
          type: PROBLEM_TYPE_BASE + 'internal',
          title: 'Internal error',
          status: 500,
          detail: 'An unexpected error occurred; it has been logged',
          instance: request?.url?.split('?')[0],
        };
    if (!problem) this.logger.error({ err: error, requestId: request?.id }, 'unhandled error');
    if (body.status === 429) reply.header('retry-after', '60');
    // A problem that knows when to come back (a document still being rendered) says so.
    const retryAfter = (body as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }
}
