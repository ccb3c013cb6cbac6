/**
 * What every HTTP answer and every request body goes through (issue #12, finding 10): security
 * headers, the trusted-proxy setting, and JSON bodies read only after the caller is known, within a
 * per-route size limit checked against Content-Length before a byte is read.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';

import { AppError } from '../errors.ts';

/** A route's body limit in bytes unless it says otherwise (enrollment photos are the exception). */
export const DEFAULT_BODY_LIMIT = 100 * 1024;

/** `TRUST_PROXY` as express takes it: a hop count, true/false, or addresses/subnets. */
export function trustProxyValue(v: string | undefined): boolean | number | string {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/**
 * nosniff, no framing, no referrer to other sites, nothing cached for /api answers; HSTS when the
 * request came over TLS (req.secure: the socket, or X-Forwarded-Proto from a trusted proxy).
 */
export const securityHeaders: RequestHandler = (req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('X-Frame-Options', 'DENY');
  res.set('Content-Security-Policy', "frame-ancestors 'none'");
  res.set('Referrer-Policy', 'no-referrer');
  if (req.path.startsWith('/api')) res.set('Cache-Control', 'no-store');
  if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
};

/**
 * A NUL character anywhere in the URL (path or query, `%00`) is refused: PostgreSQL cannot store it
 * in text and answered such an id with an error (a 500), found by the REST fuzz test.
 */
export const refuseNulInUrl: RequestHandler = (req, _res, next) => {
  next(
    /%00/.test(req.originalUrl)
      ? new AppError('VALIDATION', 'the URL must not contain a NUL character (%00)')
      : undefined,
  );
};

/** JSON.parse's reviver for request bodies: no NUL in any string or key (PostgreSQL text cannot hold it). */
function noNul(key: string, value: unknown): unknown {
  if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000')))
    throw new SyntaxError('text must not contain NUL characters (\\u0000)');
  return value;
}

export function applyHttpGuards(app: Express, trustProxy: string | undefined): void {
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxyValue(trustProxy));
  app.use(securityHeaders);
  app.use(refuseNulInUrl);
}

const parsers = new Map<number, RequestHandler>();
const TEXT_TYPES = ['text/csv', 'text/plain', 'application/csv'];

/**
 * Reads and parses the JSON body now (after authentication), refusing more than `limit`: a
 * Content-Length over it is refused before reading (express' parser compares it first), a body that
 * streams past it is cut off. Not JSON (or none): `req.body` stays undefined, which the route's
 * schema refuses with a 400.
 */
export function readJsonBody(req: Request, res: Response, limit: number, orText = false): Promise<void> {
  // Refused from the header, at once: express' parser would read (and discard) the whole body first.
  const announced = Number(req.get('content-length'));
  if (announced > limit)
    return Promise.reject(new AppError('PAYLOAD_TOO_LARGE', undefined, { params: { limit } }));
  // A route documenting a text body (a CSV import) reads text/csv, text/plain or application/csv too.
  const text = orText && req.is(TEXT_TYPES) !== false && req.is(TEXT_TYPES) !== null;
  const key = text ? -limit : limit;
  let parser = parsers.get(key);
  if (!parser) {
    parser = text ? express.text({ type: TEXT_TYPES, limit }) : express.json({ limit, reviver: noNul });
    parsers.set(key, parser);
  }
  const p = parser;
  return new Promise((resolve, reject) => {
    p(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });
}

/** Is this a failure to decode a %-escape in the URL (express answers it with its own 400 error)? */
export function isUriError(err: unknown): boolean {
  return err instanceof URIError;
}
