import { AppError, type AppErrorOptions, type ErrorCode } from '../errors.ts';

/**
 * The one error type of the pure domain, a part of the backend's error catalogue (backend/errors.ts:
 * no I/O, so the domain stays pure). Transport-neutral: REST answers with the code's status, the
 * MQTT ingest refuses with its refusal code. Thrown only for programming or data errors (a malformed
 * date, an unknown schedule id); expected business outcomes are returned as values.
 */
export type DomainErrorCode = Extract<
  ErrorCode,
  | 'INVALID_DATE'
  | 'INVALID_MONTH'
  | 'INVALID_CLOCK_TIME'
  | 'INVALID_TIME_ZONE'
  | 'INVALID_AMOUNT'
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_SCHEDULE'
  | 'NO_PROFILE_IN_FORCE'
>;

export class DomainError extends AppError {
  declare readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string, options?: Pick<AppErrorOptions, 'cause'>) {
    super(code, message, options);
    this.name = 'DomainError';
  }
}

/** Result of an operation whose failure is an expected outcome (validation, a refused lock). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; issues: string[] };
