// Client errors carry a stable code; anything else is an opaque 500 that is logged.

export type ErrorCode =
  | 'validation_error'
  | 'invalid_json'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'range_not_satisfiable'
  | 'expectation_failed'
  | 'rate_limited'
  | 'header_too_large'
  | 'internal_error'
  | 'overloaded'
  | 'unavailable';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation_error: 400,
  invalid_json: 400,
  /** The request is not valid HTTP, or not a request any route could take (bad URL, framing). */
  bad_request: 400,
  unauthorized: 401,
  /** A valid key used outside its scope or tenant (API.md §8). */
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  expectation_failed: 417,
  rate_limited: 429,
  header_too_large: 431,
  internal_error: 500,
  /** Ingestion holds as many request bodies as its memory budget allows: retry after Retry-After. */
  overloaded: 503,
  /** The process is shutting down. */
  unavailable: 503,
};

/** The code a bare HTTP status becomes when something other than our code raised it. */
export function codeForStatus(status: number): ErrorCode | undefined {
  if (status === 400) return 'bad_request';
  if (status === 503) return 'unavailable';
  return (Object.keys(HTTP_STATUS) as ErrorCode[]).find((code) => HTTP_STATUS[code] === status);
}

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function validationError(details: FieldError[]): AppError {
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new AppError('validation_error', `Invalid request: check ${fields}.`, details);
}

export function notFound(what: string, id: string): AppError {
  return new AppError('not_found', `No ${what} with id "${id}".`);
}
