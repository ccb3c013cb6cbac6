/**
 * The one error type of the pure domain. Transport-neutral: the REST layer maps
 * `code` to an HTTP status, MQTT and cron map it to their own replies.
 * Thrown only for programming or data errors (a malformed date, an unknown
 * schedule id); expected business outcomes are returned as values.
 */
export type DomainErrorCode =
  | 'InvalidDate'
  | 'InvalidMonth'
  | 'InvalidClockTime'
  | 'InvalidTimeZone'
  | 'InvalidAmount'
  | 'InvalidArgument'
  | 'UnknownSchedule'
  | 'NoProfileInForce';

export class DomainError extends Error {
  readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** Result of an operation whose failure is an expected outcome (validation, a refused lock). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; issues: string[] };
