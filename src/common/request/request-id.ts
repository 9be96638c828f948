import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Fastify's request-id generator: keeps a caller's X-Request-Id when it is safe to log, else
 * makes one. It is also stored on the raw request, where the access log (pino-http) reads it,
 * so logs, audit entries and outbox rows all carry the same id.
 */
export function assignRequestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

export function requestIdOf(request: FastifyRequest): string {
  return String(request.id);
}
