/*
 * The closed set of failures a service may report. Services throw these;
 * only the HTTP edge (src/http/errors.ts) knows which status each becomes.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'insufficient_credits'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'teapot'
  | 'validation_failed'
  | 'idempotency_key_reused'
  | 'too_many_requests'
  | 'internal'
  | 'service_unavailable';

/** Field name → messages, in the order the fields were checked. */
export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message ?? code);
    this.name = 'AppError';
  }

  /** True when a specific message was given, not just the code. */
  get hasCustomMessage(): boolean {
    return this.message !== this.code;
  }
}

export function validationFailed(fieldErrors: FieldErrors): AppError {
  return new AppError('validation_failed', undefined, fieldErrors);
}
