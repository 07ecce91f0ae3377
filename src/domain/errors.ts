// Client errors carry a stable code; anything else is an opaque 500 that is logged.

export type ErrorCode =
  | 'validation_error'
  | 'invalid_json'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation_error: 400,
  invalid_json: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
};

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
