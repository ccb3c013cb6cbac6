import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { HealthReport } from '../services/health.service.ts';
import { requireRole } from '../services/scope.ts';
import type { Session } from '../services/tokens.ts';
import { type CoreDeps, coreRoutes } from './core.routes.ts';
import { LoginBody } from './dto.ts';
import { errorMiddleware } from './error-middleware.ts';
import { applyHttpGuards, DEFAULT_BODY_LIMIT, readJsonBody } from './http-guards.ts';
import { OpenApiRegistry } from './openapi.ts';
import { LoginAnswer } from './org.dto.ts';
import { parse, RawBody, type Route, type RouteModule } from './router.ts';

export type ApiDeps = CoreDeps & {
  health: () => Promise<HealthReport>;
  log: Logger;
  version: string;
  /** TRUST_PROXY (config.ts). */
  trustProxy?: string | undefined;
};

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/** The REST API: public routes, the directory's, the features' `modules`, the OpenAPI document, errors. */
export function createApp(d: ApiDeps, modules: readonly RouteModule[] = []): Express {
  const app = express();
  const docs = new OpenApiRegistry();
  app.disable('x-powered-by');
  // No body parser here: each route reads its body after the caller is authenticated (below).
  applyHttpGuards(app, d.trustProxy);

  publicRoutes(app, docs, d);
  const route = authenticatedRoute(app, docs, d.auth);
  for (const m of [coreRoutes(d), ...modules]) m(route, app);

  app.get('/api/openapi.json', (_req, res) => {
    res.json(docs.document(d.version));
  });
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', 'no such endpoint')));
  app.use(errorMiddleware(d.log));
  return app;
}

/**
 * `route(...)`: a documented route for a logged-in admin (bearer token), with its roles checked. The
 * token is checked against the user's row on every request (revoked sessions end at once), and the
 * session carries the caller's scope (their unit's subtree) for scopeOf.
 */
function authenticatedRoute(app: Express, docs: OpenApiRegistry, auth: AuthService): Route {
  const session = (req: Request): Promise<Session> => {
    const h = req.get('authorization');
    return auth.authenticate(h?.startsWith('Bearer ') ? h.slice(7) : undefined);
  };
  return (method, path, meta, handler) => {
    docs.add({
      method,
      path,
      summary: meta.summary,
      body: meta.body,
      textBody: meta.textBody,
      query: meta.query,
      response: meta.response,
      status: meta.status,
      auth: true,
    });
    app[method](path, async (req: Request, res: Response) => {
      const s = await session(req);
      if (meta.roles) requireRole(s, meta.roles);
      if (BODY_METHODS.has(method))
        await readJsonBody(req, res, meta.bodyLimit ?? DEFAULT_BODY_LIMIT, meta.textBody !== undefined);
      const out = await handler(req, s);
      res.status(meta.status ?? 200);
      if (out instanceof RawBody) {
        res.type(out.contentType);
        if (out.filename) res.attachment(out.filename);
        res.send(out.body);
      } else if (out === undefined) {
        res.status(204).end();
      } else {
        res.json(out);
      }
    });
  };
}

/** Health and login: the two routes without a token. */
function publicRoutes(
  app: Express,
  docs: OpenApiRegistry,
  d: { auth: AuthService; health: ApiDeps['health']; version: string },
): void {
  docs.add({
    method: 'get',
    path: '/api/health',
    summary:
      'Each dependency probed: database writable, free disk space of DATA_DIR, broker link; 503 naming the failing ones',
    auth: false,
  });
  app.get('/api/health', async (_req, res) => {
    const h = await d.health();
    res.status(h.status === 'ok' ? 200 : 503).json({ ...h, version: d.version });
  });

  docs.add({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Admin login; returns a bearer token',
    body: LoginBody,
    response: LoginAnswer,
    auth: false,
  });
  app.post('/api/auth/login', async (req, res) => {
    await readJsonBody(req, res, 4096);
    const b = parse(LoginBody, req.body);
    res.json(await d.auth.login(b.username, b.password, req.ip));
  });
}
