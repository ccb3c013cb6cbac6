import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../lib/logger.ts';
import { AppError, ERROR_CATALOGUE } from '../errors.ts';

/** What express' own body parser throws: a JSON syntax error or a body over the limit. */
function parserError(err: unknown): AppError | undefined {
  // A %-escape in the URL that does not decode (e.g. /api/sites/%E0%A4%A).
  if (err instanceof URIError)
    return new AppError('VALIDATION', 'the URL has a malformed %-escape', { cause: err });
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  if (err.type === 'entity.parse.failed' && err instanceof Error)
    return new AppError('VALIDATION', `body is not valid JSON: ${err.message}`, { cause: err });
  if (err.type === 'entity.too.large') {
    const limit = 'limit' in err && typeof err.limit === 'number' ? err.limit : '?';
    return new AppError('PAYLOAD_TOO_LARGE', undefined, { cause: err, params: { limit } });
  }
  return undefined;
}

/**
 * The one place where errors become HTTP answers: `{ error: { code, message } }` with the code's
 * status. Anything not in the catalogue is a 500 with a generic message, logged with its stack; so
 * is a catalogued 5xx (its detail may name files or hosts the client has no business seeing).
 */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = err instanceof AppError ? err : parserError(err);
    const e = known ?? new AppError('INTERNAL', undefined, { cause: err });
    const message = e.status >= 500 ? ERROR_CATALOGUE[e.code].message : e.message;
    // Refused before its body was read (no login, too large): close the connection rather than
    // receive the rest of it.
    if (!req.complete) res.set('Connection', 'close');
    if (e.retryAfterS !== undefined) res.set('Retry-After', String(e.retryAfterS));
    if (e.status >= 500) log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(e.status).json({ error: { code: e.code, message } });
  };
}
