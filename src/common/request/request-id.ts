import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Keeps a caller's X-Request-Id when it is safe to log, else makes one; echoes it on the response. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** The id the access log uses for this request (set by pino-http on the raw request). */
export function requestIdOf(request: FastifyRequest): string {
  return String((request.raw as IncomingMessage & { id?: unknown }).id ?? request.id);
}
