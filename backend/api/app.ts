import express, { type Request, type Response } from 'express';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { EventRepository } from '../repositories/event.repository.ts';
import type { TerminalRepository } from '../repositories/terminal.repository.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { DirectoryService } from '../services/directory.service.ts';
import { requireRole, scopeOf } from '../services/scope.ts';
import type { Session, TokenService } from '../services/tokens.ts';
import { EmployeeCreate, EmployeeQuery, EventsQuery, LoginBody, TerminalCreate, UserCreate } from './dto.ts';
import { errorMiddleware } from './error-middleware.ts';
import { OpenApiRegistry } from './openapi.ts';
import { parse, RawBody, type Route, type RouteModule } from './router.ts';

export type ApiDeps = {
  auth: AuthService;
  tokens: TokenService;
  directory: DirectoryService;
  terminals: TerminalRepository;
  events: EventRepository;
  health: () => Promise<{ db: boolean; broker: boolean }>;
  /** The MQTT URL handed to a new terminal. */
  mqttUrlFor: (req: Request) => string;
  log: Logger;
  version: string;
};

function toDate(s: string | undefined): Date | undefined {
  return s === undefined ? undefined : new Date(s);
}

export function createApp(d: ApiDeps, modules: readonly RouteModule[] = []): express.Express {
  const app = express();
  const docs = new OpenApiRegistry();
  app.disable('x-powered-by');
  // Enrollment photos come as base64 JSON (up to 5); everything else stays small.
  app.use(/^\/api\/employees\/[^/]+\/faces$/, express.json({ limit: '12mb' }));
  app.use(express.json({ limit: '1mb' }));

  const session = (req: Request): Session => {
    const h = req.get('authorization');
    const s = h?.startsWith('Bearer ') ? d.tokens.verify(h.slice(7)) : null;
    if (!s) throw new AppError('UNAUTHENTICATED');
    return s;
  };

  const route: Route = (method, path, meta, handler) => {
    docs.add({ method, path, summary: meta.summary, body: meta.body, query: meta.query, auth: true });
    app[method](path, async (req: Request, res: Response) => {
      const s = session(req);
      if (meta.roles) requireRole(s, meta.roles);
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

  docs.add({ method: 'get', path: '/api/health', summary: 'Database and broker state', auth: false });
  app.get('/api/health', async (_req, res) => {
    const h = await d.health();
    const ok = h.db && h.broker;
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      db: h.db ? 'ok' : 'down',
      broker: h.broker ? 'ok' : 'down',
      version: d.version,
    });
  });

  docs.add({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Admin login; returns a bearer token',
    body: LoginBody,
    auth: false,
  });
  app.post('/api/auth/login', async (req, res) => {
    const b = parse(LoginBody, req.body);
    res.json(await d.auth.login(b.username, b.password));
  });

  route(
    'post',
    '/api/users',
    { summary: 'Create an admin user', body: UserCreate, roles: ['SUPERADMIN'], status: 201 },
    (req) => d.auth.createUser(parse(UserCreate, req.body)),
  );

  route(
    'get',
    '/api/employees',
    { summary: 'Employees in the caller’s scope', query: EmployeeQuery },
    (req, s) => d.directory.listEmployees(parse(EmployeeQuery, req.query), scopeOf(s)),
  );
  route(
    'post',
    '/api/employees',
    {
      summary: 'Create an employee',
      body: EmployeeCreate,
      roles: ['SUPERADMIN', 'BKD', 'OPD_ADMIN'],
      status: 201,
    },
    (req, s) => d.directory.createEmployee(parse(EmployeeCreate, req.body), scopeOf(s)),
  );

  route(
    'post',
    '/api/terminals',
    {
      summary: 'Register a terminal; its MQTT password is returned only here',
      body: TerminalCreate,
      roles: ['SUPERADMIN', 'BKD'],
      status: 201,
    },
    async (req) => {
      const { terminal, secret } = await d.directory.registerTerminal(parse(TerminalCreate, req.body));
      return {
        id: terminal.id,
        name: terminal.name,
        siteId: terminal.siteId,
        mqtt: { url: d.mqttUrlFor(req), username: terminal.id, password: secret },
      };
    },
  );
  route(
    'get',
    '/api/terminals',
    { summary: 'Terminals with their online state', roles: ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] },
    async () => {
      const list = await d.terminals.list();
      return list.map((t) => ({
        ...t,
        lastStatus: t.lastStatus ? (JSON.parse(t.lastStatus) as unknown) : null,
      }));
    },
  );

  route(
    'get',
    '/api/attendance/events',
    { summary: 'Raw punches, filtered', query: EventsQuery },
    async (req, s) => {
      const q = parse(EventsQuery, req.query);
      const allowed = await d.directory.employeeIdsInScope(scopeOf(s));
      if (allowed && q.employeeId && !allowed.includes(q.employeeId))
        throw new AppError('FORBIDDEN', 'employee outside your scope');
      return d.events.list({
        ...q,
        from: toDate(q.from),
        to: toDate(q.to),
        take: q.take,
        employeeIds: allowed ?? undefined,
      });
    },
  );

  for (const m of modules) m(route, app);

  app.get('/api/openapi.json', (_req, res) => {
    res.json(docs.document(d.version));
  });

  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', 'no such endpoint')));
  app.use(errorMiddleware(d.log));
  return app;
}
