/** Admin users, employees, terminals and the raw punches: the directory's routes. */
import type { Request } from 'express';
import type { AuthService } from '../services/auth.service.ts';
import type { DirectoryService } from '../services/directory.service.ts';
import type { EventLogService } from '../services/event-log.service.ts';
import { scopeOf } from '../services/scope.ts';
import { EmployeeCreate, EmployeeQuery, EventsQuery, TerminalCreate, UserCreate } from './dto.ts';
import { parse, type RouteModule } from './router.ts';

export type CoreDeps = {
  auth: AuthService;
  directory: DirectoryService;
  events: EventLogService;
  /** The MQTT URL handed to a new terminal. */
  mqttUrlFor: (req: Request) => string;
};

export const coreRoutes =
  (d: CoreDeps): RouteModule =>
  (route) => {
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
      () => d.directory.listTerminals(),
    );

    route(
      'get',
      '/api/attendance/events',
      { summary: 'Raw punches, filtered', query: EventsQuery },
      (req, s) => d.events.list(parse(EventsQuery, req.query), scopeOf(s)),
    );
  };
