import type { Express, Request } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Role, Session } from '../services/tokens.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type RouteMeta = {
  summary: string;
  body?: z.ZodType;
  /** A body that is not JSON (e.g. text/csv), documented beside `body`; the route reads it itself. */
  textBody?: { contentType: string; schema: z.ZodType };
  query?: z.ZodType;
  /** Roles allowed; any logged-in user when absent. Data scoping is the handler's job (scopeOf). */
  roles?: readonly Role[];
  status?: number;
  /** Largest JSON body read (after authentication); default DEFAULT_BODY_LIMIT (http-guards.ts). */
  bodyLimit?: number;
  /** The answer's schema, for /api/openapi.json. */
  response?: z.ZodType;
};

/** A handler's answer when it is not JSON (e.g. a CSV export). */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly body: string | Buffer,
    readonly filename?: string,
  ) {}
}

export type Handler = (req: Request, session: Session) => Promise<unknown>;

/** Registers an authenticated route, documented in /api/openapi.json. */
export type Route = (method: Method, path: string, meta: RouteMeta, handler: Handler) => void;

/**
 * A feature's routes: `export const attendanceRoutes = (deps) => (route: Route) => { route('get', …) }`.
 * `app` is for the rare route that is not a logged-in admin's (e.g. a kiosk's, with terminal credentials).
 */
export type RouteModule = (route: Route, app: Express) => void;

/** Validates with a zod schema; a failure is a VALIDATION error listing every issue. */
export function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new AppError('VALIDATION', msg);
  }
  return r.data;
}
