/** Employees over time: one employee, its edits, history and deactivation (create and list: core.routes.ts). */
import type { PeopleService } from '../attendance/people.service.ts';
import { scopeOf } from '../services/scope.ts';
import { EmployeeDeactivate, EmployeeUpdate } from './people.dto.ts';
import { parse, type RouteModule } from './router.ts';

const EDITORS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;

export const peopleRoutes =
  (d: { people: PeopleService }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/employees/:nip',
      { summary: 'An employee: values in force today, employment period and dated history' },
      (req, s) => d.people.get(String(req.params.nip), scopeOf(s)),
    );
    route(
      'patch',
      '/api/employees/:nip',
      {
        summary:
          'Edit an employee; unit, site, superior, position class, base amount and schedule from effectiveFrom on',
        body: EmployeeUpdate,
        roles: EDITORS,
      },
      (req, s) =>
        d.people.update(String(req.params.nip), parse(EmployeeUpdate, req.body), scopeOf(s), s.username),
    );
    route(
      'get',
      '/api/employees/:nip/history',
      { summary: "An employee's dated history (unit, site, superior, position class, base amount)" },
      (req, s) => d.people.history(String(req.params.nip), scopeOf(s)),
    );
    route(
      'post',
      '/api/employees/:nip/deactivate',
      {
        summary: 'End an employment (end date and reason); the history is kept',
        body: EmployeeDeactivate,
        roles: EDITORS,
      },
      (req, s) =>
        d.people.deactivate(
          String(req.params.nip),
          parse(EmployeeDeactivate, req.body),
          scopeOf(s),
          s.username,
        ),
    );
  };
