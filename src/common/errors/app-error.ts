export interface FieldError {
  field: string;
  message: string;
}

export type ProblemKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'gone'
  | 'method-not-allowed'
  | 'conflict'
  | 'invalid-transition'
  | 'policy-violation'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'unavailable';

const STATUS: Record<ProblemKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  gone: 410,
  'method-not-allowed': 405,
  conflict: 409,
  'invalid-transition': 422,
  'policy-violation': 422,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  unavailable: 503,
};

const TITLE: Record<ProblemKind, string> = {
  validation: 'Invalid request',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  gone: 'No longer valid',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict',
  'invalid-transition': 'Transition not allowed',
  'policy-violation': 'Policy violation',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'rate-limited': 'Too many requests',
  unavailable: 'Service unavailable',
};

/**
 * A failure the client can act on. Services throw these in domain terms; the problem filter
 * turns them into RFC 9457 responses.
 */
export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
    this.status = STATUS[kind];
    this.title = TITLE[kind];
  }

  static badInput(field: string, message: string): AppError {
    return new AppError('validation', `${field}: ${message}`, [{ field, message }]);
  }

  /** Also used for objects that exist but belong to another organization: never confirm them. */
  static notFound(entity: string, id?: string): AppError {
    return new AppError('not-found', id ? `No ${entity} with id ${id}` : `No such ${entity}`);
  }

  static forbidden(detail = 'Your role does not allow this action'): AppError {
    return new AppError('forbidden', detail);
  }

  static unauthorized(detail = 'Sign in or send a valid bearer token'): AppError {
    return new AppError('unauthorized', detail);
  }

  static conflict(detail: string, field?: string, extensions?: Record<string, unknown>): AppError {
    return new AppError('conflict', detail, field ? [{ field, message: detail }] : undefined, extensions);
  }
}

export const PROBLEM_TYPE_BASE = 'https://foundry-hub.dev/problems/';
