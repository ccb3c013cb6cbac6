/** `/api/reports`: the daily lateness report (late arrivals, early departures, absences by unit), JSON or CSV. */
import { z } from 'zod';
import { latenessCsv } from '../domain/lateness-report.ts';
import type { IsoDate } from '../domain/local-date.ts';
import type { LatenessReportService } from '../reports/lateness-report.service.ts';
import { scopeOf } from '../services/scope.ts';
import { LatenessReportOut } from './reports.dto.ts';
import { parse, RawBody, type RouteModule } from './router.ts';

const LatenessQuery = z.object({
  date: z.iso.date().describe('the work date, YYYY-MM-DD (local to each site)'),
  unitId: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export const reportRoutes =
  (d: { lateness: LatenessReportService }): RouteModule =>
  (route) => {
    route('get', '/api/reports', { summary: 'The reports available' }, () =>
      Promise.resolve([
        {
          name: 'lateness',
          path: '/api/reports/lateness?date=YYYY-MM-DD[&unitId=][&format=csv]',
          summary:
            'Late arrivals (TL1–TL4), early departures (PSW1–PSW4) and absences (TK) of a day, by unit',
        },
      ]),
    );
    route(
      'get',
      '/api/reports/lateness',
      {
        summary:
          'A day’s late arrivals, early departures and absences by unit, in the caller’s scope; classified ' +
          'by what the rules decided (deduction kinds, status Absent), in each profile’s own codes',
        query: LatenessQuery,
        response: LatenessReportOut,
      },
      async (req, s) => {
        const q = parse(LatenessQuery, req.query);
        const r = await d.lateness.report(q.date as IsoDate, scopeOf(s), { unitId: q.unitId });
        if (q.format === 'json') return r;
        return new RawBody('text/csv; charset=utf-8', latenessCsv(r), `lateness-${q.date}.csv`);
      },
    );
  };
