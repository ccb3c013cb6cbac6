/** `/api/attendance`: day records with their codes, punch corrections, recomputation. */
import { z } from 'zod';
import type { AttendanceService } from '../attendance/attendance.service.ts';
import { scopeOf } from '../services/scope.ts';
import {
  CorrectionCreate,
  CorrectionsQuery,
  DayRecordView,
  DaysQuery,
  EmployeeAttendanceSettings,
  RecomputeBody,
} from './attendance.dto.ts';
import { parse, type RouteModule } from './router.ts';

const ADMINS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;

export const attendanceRoutes =
  (d: { attendance: AttendanceService }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/attendance',
      {
        summary:
          'Day records (status, codes, minutes, deductions, and the punches not used with their reason) ' +
          'by unit, employee and dates',
        query: DaysQuery,
        response: z.array(DayRecordView),
      },
      (req, s) => d.attendance.listDays(parse(DaysQuery, req.query), scopeOf(s)),
    );
    route(
      'post',
      '/api/attendance/corrections',
      {
        summary: 'Correct a punch (add or void) with a reason; audited, the original punch is kept',
        body: CorrectionCreate,
        roles: ADMINS,
        status: 201,
      },
      (req, s) => d.attendance.correct(parse(CorrectionCreate, req.body), s, scopeOf(s)),
    );
    route(
      'get',
      '/api/attendance/corrections',
      { summary: 'The audit trail of punch corrections', query: CorrectionsQuery },
      (req, s) => d.attendance.listCorrections(parse(CorrectionsQuery, req.query), scopeOf(s)),
    );
    route(
      'post',
      '/api/attendance/recompute',
      {
        summary: 'Recompute day records of a date range (unit, employee, or all in scope)',
        body: RecomputeBody,
        roles: ADMINS,
      },
      (req, s) => d.attendance.recompute(parse(RecomputeBody, req.body), scopeOf(s)),
    );
    route(
      'patch',
      '/api/employees/:nip/attendance',
      {
        summary: "An employee's site, direct superior and base allowance (amount or position class)",
        body: EmployeeAttendanceSettings,
        roles: ADMINS,
      },
      (req, s) =>
        d.attendance.updateEmployee(
          String(req.params.nip),
          parse(EmployeeAttendanceSettings, req.body),
          scopeOf(s),
        ),
    );
  };
