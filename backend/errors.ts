/**
 * The backend's one catalogue of coded, transport-neutral errors. Each code has a message template
 * (the text when the thrower gives none; `{name}` is filled from `params`), a default HTTP status,
 * and, where a punch can be refused for it, the MQTT refusal code (protocol RejectCode). REST maps
 * them in one middleware (api/error-middleware.ts), the ingest in `refusalFor`
 * (ingest/ingest-refusal.ts).
 *
 * No imports and no I/O: the pure domain throws from it (domain/domain-error.ts).
 */
export const ERROR_CATALOGUE = {
  VALIDATION: { status: 400, message: 'Invalid request', reject: 'SCHEMA' },
  UNAUTHENTICATED: { status: 401, message: 'Login required' },
  BAD_CREDENTIALS: { status: 401, message: 'Wrong username or password' },
  FORBIDDEN: { status: 403, message: 'Not allowed for this role', reject: 'ACL' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'Already exists' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'Request body too large (limit {limit} bytes)',
    reject: 'TOO_LARGE',
  },
  TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many failed logins: try again in {seconds} s' },
  UNPROCESSABLE: { status: 422, message: 'Could not use the submitted data', reject: 'SCHEMA' },
  UNAVAILABLE: { status: 503, message: 'Service unavailable' },
  INTERNAL: { status: 500, message: 'Internal error' },
  // Thrown by the pure rules (DomainError): a value they cannot work with.
  INVALID_DATE: { status: 400, message: "Not a valid date 'YYYY-MM-DD'", reject: 'SCHEMA' },
  INVALID_MONTH: { status: 400, message: "Not a valid month 'YYYY-MM'", reject: 'SCHEMA' },
  INVALID_CLOCK_TIME: { status: 400, message: "Not a clock time 'HH:MM'", reject: 'SCHEMA' },
  INVALID_TIME_ZONE: { status: 400, message: 'Unknown time zone', reject: 'SCHEMA' },
  INVALID_AMOUNT: { status: 400, message: 'Not a valid amount', reject: 'SCHEMA' },
  INVALID_ARGUMENT: { status: 400, message: 'Invalid argument', reject: 'SCHEMA' },
  UNKNOWN_SCHEDULE: { status: 422, message: 'No such work schedule' },
  NO_PROFILE_IN_FORCE: { status: 422, message: 'No policy profile in force on that date' },
} as const satisfies Record<string, { status: number; message: string; reject?: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** `{name}` in a template replaced by `params.name` (left as is when absent). */
export function formatMessage(
  template: string,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type AppErrorOptions = {
  cause?: unknown;
  params?: Readonly<Record<string, string | number>>;
  /** For a refusal the client may retry later: REST sends it as Retry-After. */
  retryAfterS?: number;
};

/**
 * An error of the catalogue. `message`: the thrower's own text, else the code's template filled
 * from `params`. The cause is chained (`error.cause`) and logged with it.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(
      message ?? formatMessage(ERROR_CATALOGUE[code].message, options.params),
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.retryAfterS = options.retryAfterS;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
