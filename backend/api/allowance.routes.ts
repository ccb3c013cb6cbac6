/** `/api/allowance`: the monthly allowance per employee with its breakdown, CSV, lock, adjustments. */

import type { AllowanceService } from '../attendance/allowance.service.ts';
import { allowanceCsv } from '../attendance/allowance-csv.ts';
import { scopeOf } from '../services/scope.ts';
import {
  AdjustmentsQuery,
  AllowanceQuery,
  MonthBody,
  PositionAmount,
  PositionClass,
} from './attendance.dto.ts';
import { parse, RawBody, type RouteModule } from './router.ts';

const REGION = ['SUPERADMIN', 'BKD'] as const;

export const allowanceRoutes =
  (d: { allowance: AllowanceService }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/allowance',
      {
        summary:
          'Monthly allowance per employee: base, deductions per day and code, cap, payable, adjustments',
        query: AllowanceQuery,
      },
      async (req, s) => {
        const q = parse(AllowanceQuery, req.query);
        const rows = await d.allowance.report(q.month, scopeOf(s), q);
        if (q.format === 'json') return rows;
        const lines = q.format === 'csv-lines';
        return new RawBody(
          'text/csv; charset=utf-8',
          allowanceCsv(rows, lines),
          `allowance-${q.month}${lines ? '-lines' : ''}.csv`,
        );
      },
    );
    route(
      'post',
      '/api/allowance/close',
      {
        summary: 'Close a month: write its day records and allowances (not locked)',
        body: MonthBody,
        roles: REGION,
      },
      (req) => {
        const b = parse(MonthBody, req.body);
        return d.allowance.close(b.month, b.unitId);
      },
    );
    route(
      'post',
      '/api/allowance/lock',
      {
        summary: 'Lock an approved month for a unit or everybody; later corrections become adjustments',
        body: MonthBody,
        roles: REGION,
        status: 201,
      },
      (req, s) => {
        const b = parse(MonthBody, req.body);
        return d.allowance.lock(b.month, b.unitId, s.sub);
      },
    );
    route('get', '/api/allowance/locks', { summary: 'Locked months', roles: REGION }, () =>
      d.allowance.locks(),
    );
    route(
      'get',
      '/api/allowance/adjustments',
      {
        summary: 'Adjustments (corrections of locked months), by the month they are paid in',
        query: AdjustmentsQuery,
      },
      (req, s) => {
        const q = parse(AdjustmentsQuery, req.query);
        return d.allowance.adjustments(q.month, q.employeeId, scopeOf(s));
      },
    );
    route(
      'get',
      '/api/allowance/position-classes',
      { summary: 'Base allowance per position class (kelas jabatan)' },
      () => d.allowance.positionAmounts(),
    );
    route(
      'put',
      '/api/allowance/position-classes/:class',
      { summary: 'Set the base allowance of a position class', body: PositionAmount, roles: REGION },
      (req) => {
        const positionClass = parse(PositionClass, req.params.class);
        return d.allowance.setPositionAmount(positionClass, parse(PositionAmount, req.body).amount);
      },
    );
  };
