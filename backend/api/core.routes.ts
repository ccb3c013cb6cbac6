/** Employees and the raw punches: the directory's routes (terminals: terminals.routes.ts; users: users.routes.ts). */
import type { AuthService } from '../services/auth.service.ts';
import type { DirectoryService } from '../services/directory.service.ts';
import type { EventLogService } from '../services/event-log.service.ts';
import { scopeOf } from '../services/scope.ts';
import { EmployeeCreate, EmployeeQuery, EventsQuery } from './dto.ts';
import { parse, type RouteModule } from './router.ts';

export type CoreDeps = {
  auth: AuthService;
  directory: DirectoryService;
  events: EventLogService;
};

export const coreRoutes =
  (d: CoreDeps): RouteModule =>
  (route) => {
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
      'get',
      '/api/attendance/events',
      {
        summary: 'Raw punches as received (unknown NIPs and skewed kiosk clocks included, flagged), filtered',
        query: EventsQuery,
      },
      (req, s) => d.events.list(parse(EventsQuery, req.query), scopeOf(s)),
    );
  };
