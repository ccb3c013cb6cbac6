/** One catalog of coded, transport-neutral errors; HTTP and MQTT map them at their edges. */
export const ErrorCodes = {
  VALIDATION: { status: 400, message: 'Invalid request' },
  UNAUTHENTICATED: { status: 401, message: 'Login required' },
  BAD_CREDENTIALS: { status: 401, message: 'Wrong username or password' },
  FORBIDDEN: { status: 403, message: 'Not allowed for this role' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'Already exists' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body too large' },
  UNPROCESSABLE: { status: 422, message: 'Could not use the submitted data' },
  UNAVAILABLE: { status: 503, message: 'Service unavailable' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? ErrorCodes[code].message, options);
    this.status = ErrorCodes[code].status;
    this.name = 'AppError';
  }
}
