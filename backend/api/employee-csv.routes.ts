/** Employees as CSV: the import (a background job, dry run or real) and the export (docs/notes/csv.md). */
import type { EmployeeCsvService } from '../attendance/employee-csv.service.ts';
import { scopeOf } from '../services/scope.ts';
import {
  EmployeeCsvText,
  EmployeeExportQuery,
  EmployeeImportBody,
  EmployeeImportJob,
  EmployeeImportQuery,
  IMPORT_LIMIT,
  importText,
  readEmployeeCsv,
} from './employee-csv.dto.ts';
import { parse, RawBody, type RouteModule } from './router.ts';

const EDITORS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;

/** Registered before peopleRoutes: its GET /api/employees/:nip would take /api/employees/export. */
export const employeeCsvRoutes =
  (d: { csv: EmployeeCsvService }): RouteModule =>
  (route) => {
    route(
      'post',
      '/api/employees/import',
      {
        summary:
          'Import employees from CSV: a new NIP is created, a stored one updated with the fields that differ ' +
          '(dated fields from effectiveFrom, default today). Runs as a job: poll GET /api/employees/import/{id}. ' +
          'dryRun=true reports what each row would do and writes nothing',
        query: EmployeeImportQuery,
        body: EmployeeImportBody,
        textBody: { contentType: 'text/csv', schema: EmployeeCsvText },
        bodyLimit: IMPORT_LIMIT,
        roles: EDITORS,
        status: 202,
        response: EmployeeImportJob,
      },
      async (req, s) => {
        const q = parse(EmployeeImportQuery, req.query);
        const rows = readEmployeeCsv(importText(req.body));
        return d.csv.startImport(rows, q.dryRun, scopeOf(s), s.username);
      },
    );
    route(
      'get',
      '/api/employees/import/:id',
      {
        summary:
          'An import job: state, progress (processed of total), counts, errors per line; the rows once finished',
        roles: EDITORS,
        response: EmployeeImportJob,
      },
      async (req, s) => d.csv.importStatus(String(req.params.id), s),
    );
    route(
      'get',
      '/api/employees/export',
      {
        summary:
          'Employees in your scope as CSV, the import’s columns with today’s values; imports back unchanged',
        query: EmployeeExportQuery,
        roles: EDITORS,
      },
      async (req, s) => {
        const q = parse(EmployeeExportQuery, req.query);
        const csv = await d.csv.exportCsv(scopeOf(s), q.unitId);
        return new RawBody('text/csv; charset=utf-8', csv, 'employees.csv');
      },
    );
  };
