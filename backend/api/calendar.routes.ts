/** Work schedules and assignments, holidays and special periods (Ramadan). */
import type { CalendarService } from '../attendance/calendar.service.ts';
import {
  holidaySchema,
  scheduleAssignmentSchema,
  specialPeriodSchema,
  workScheduleSchema,
} from '../domain/index.ts';
import { scopeOf } from '../services/scope.ts';
import { HolidaysQuery } from './attendance.dto.ts';
import { parse, type RouteModule } from './router.ts';

const REGION = ['SUPERADMIN', 'BKD'] as const;
const ADMINS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;

export const calendarRoutes =
  (d: { calendar: CalendarService }): RouteModule =>
  (route) => {
    const c = d.calendar;
    route('get', '/api/schedules', { summary: 'Work schedules' }, () => c.schedules());
    route('get', '/api/schedules/:id', { summary: 'A work schedule' }, (req) =>
      c.schedule(String(req.params.id)),
    );
    route(
      'post',
      '/api/schedules',
      {
        summary: 'Create a work schedule (weekly, cycle or dated roster)',
        body: workScheduleSchema,
        roles: REGION,
        status: 201,
      },
      (req) => c.createSchedule(parse(workScheduleSchema, req.body)),
    );
    route(
      'put',
      '/api/schedules/:id',
      {
        summary: 'Replace a work schedule; recent days of its employees are recomputed',
        body: workScheduleSchema,
        roles: REGION,
      },
      (req) => c.updateSchedule(String(req.params.id), parse(workScheduleSchema, req.body)),
    );
    route(
      'delete',
      '/api/schedules/:id',
      { summary: 'Delete an unassigned work schedule', roles: REGION },
      (req) => c.deleteSchedule(String(req.params.id)),
    );

    route('get', '/api/schedule-assignments', { summary: 'Schedule assignments in your scope' }, (_req, s) =>
      c.assignments(scopeOf(s)),
    );
    route(
      'post',
      '/api/schedule-assignments',
      {
        summary: 'Assign a schedule to a unit or an employee from a date (optionally to a date)',
        body: scheduleAssignmentSchema,
        roles: ADMINS,
        status: 201,
      },
      (req, s) => c.assign(parse(scheduleAssignmentSchema, req.body), scopeOf(s), s.sub),
    );
    route(
      'delete',
      '/api/schedule-assignments/:id',
      { summary: 'Remove a schedule assignment', roles: ADMINS },
      (req, s) => c.unassign(String(req.params.id), scopeOf(s)),
    );

    route(
      'get',
      '/api/calendar/holidays',
      { summary: 'National and regional holidays, collective leave', query: HolidaysQuery },
      (req) => c.holidays(parse(HolidaysQuery, req.query)),
    );
    route(
      'post',
      '/api/calendar/holidays',
      { summary: 'Add a holiday or collective-leave day', body: holidaySchema, roles: REGION, status: 201 },
      (req) => c.addHoliday(parse(holidaySchema, req.body)),
    );
    route('delete', '/api/calendar/holidays/:id', { summary: 'Remove a holiday', roles: REGION }, (req) =>
      c.deleteHoliday(String(req.params.id)),
    );

    route('get', '/api/calendar/special-periods', { summary: 'Dated special periods (Ramadan hours)' }, () =>
      c.specialPeriods(),
    );
    route(
      'post',
      '/api/calendar/special-periods',
      {
        summary: 'Add a special period with its own hours',
        body: specialPeriodSchema,
        roles: REGION,
        status: 201,
      },
      (req) => c.saveSpecialPeriod(parse(specialPeriodSchema, req.body), 'create'),
    );
    route(
      'put',
      '/api/calendar/special-periods/:id',
      { summary: 'Replace a special period', body: specialPeriodSchema, roles: REGION },
      (req) => {
        const p = parse(specialPeriodSchema, req.body);
        return c.saveSpecialPeriod({ ...p, id: String(req.params.id) }, 'update');
      },
    );
    route(
      'delete',
      '/api/calendar/special-periods/:id',
      { summary: 'Remove a special period', roles: REGION },
      (req) => c.deleteSpecialPeriod(String(req.params.id)),
    );
  };
