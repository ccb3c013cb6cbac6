/**
 * Employees as CSV at the REST boundary (docs/notes/csv.md): the import's body and answers, and each
 * row read with the very schemas of POST /api/employees (a new NIP) and PATCH /api/employees/:nip
 * (a stored one), an empty cell being an absent field.
 */
import { z } from 'zod';
import { parseCsv } from '../domain/csv-reader.ts';
import {
  EMPLOYEE_CSV_COLUMNS,
  type EmployeeCsvRecord,
  employeeCsvHeader,
  employeeCsvRecords,
} from '../domain/employee-csv.ts';
import type {
  ImportCreate,
  ImportRowError,
  ImportRowInput,
  ImportUpdate,
} from '../domain/employee-import.ts';
import { AppError } from '../errors.ts';
import { EmployeeCreate, Nip } from './dto.ts';
import { EmployeeUpdate } from './people.dto.ts';
import { parse } from './router.ts';

/** The largest import accepted (checked from Content-Length before the body is read). */
export const IMPORT_LIMIT = 20 * 1024 * 1024;

const COLUMNS_TEXT = EMPLOYEE_CSV_COLUMNS.join(', ');

export const EmployeeCsvText = z
  .string()
  .describe(
    `CSV with a header line naming the columns (any order, any subset with nip): ${COLUMNS_TEXT}. ` +
      'Comma or semicolon (taken from the header), UTF-8 with or without BOM. An empty cell leaves the field as it is.',
  );

export const EmployeeImportBody = z
  .object({ csv: EmployeeCsvText })
  .strict()
  .describe('the CSV as JSON; or send the CSV itself with Content-Type: text/csv');

export const EmployeeImportQuery = z.object({
  dryRun: z
    .stringbool()
    .default(false)
    .describe('true: check every row and report what would happen, writing nothing'),
});

export const EmployeeExportQuery = z.object({
  format: z.enum(['csv']).default('csv').describe('csv: the import’s columns, importable back unchanged'),
  unitId: z.string().min(1).max(64).optional().describe('one unit (in your scope); default: your scope'),
});

const RowError = z.object({
  line: z.number().int().describe('the CSV line the row starts on, as an editor numbers it (header = 1)'),
  field: z.string().optional().describe('the column at fault, when one is'),
  message: z.string(),
});

export const EmployeeImportJob = z.object({
  id: z.string(),
  state: z.enum(['Running', 'Done', 'Failed']),
  dryRun: z.boolean(),
  total: z.number().int().describe('data rows in the file'),
  processed: z.number().int().describe('rows decided (dry run) or applied so far: goes up to total'),
  created: z.number().int().describe('new employees (a dry run: that would be created)'),
  updated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int().describe('rows with an error, left out; the other rows are applied'),
  errors: z.array(RowError),
  rows: z
    .array(
      z.object({
        line: z.number().int(),
        nip: z.string().nullable(),
        action: z.enum(['create', 'update', 'unchanged', 'error']),
        fields: z.array(z.string()).optional().describe('update: the fields that change'),
        effectiveFrom: z.string().nullable().optional().describe('update: the day dated changes apply from'),
      }),
    )
    .describe('per row, in file order: what happens (or would, in a dry run)'),
  message: z.string().optional().describe('Failed: why the job stopped'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** The import's body as text: a text/csv (or text/plain) body, or JSON {csv}. */
export function importText(body: unknown): string {
  if (typeof body === 'string') return body;
  return parse(EmployeeImportBody, body ?? {}).csv;
}

const CREATE_KEYS = new Set(Object.keys(EmployeeCreate.shape));
const ScheduleId = EmployeeUpdate.shape.scheduleId;

/**
 * The rows of an import, each read as a new employee and as an edit. A header that is not the
 * import's (an unknown column, no nip) is a 400 for the whole file; a CSV syntax error is an error
 * of the row it is on.
 */
export function readEmployeeCsv(text: string): ImportRowInput[] {
  const table = parseCsv(text);
  if (table.header.length === 0) throw new AppError('VALIDATION', 'csv: empty, expected a header line');
  const { columns, problems } = employeeCsvHeader(table.header);
  if (problems.length > 0) throw new AppError('VALIDATION', `csv header: ${problems.join('; ')}`);
  const rows = employeeCsvRecords(table, columns).map(rowInput);
  for (const e of table.errors) {
    const row = rows.findLast((r) => r.line <= e.line);
    if (row && e.message.startsWith('text after')) row.errors.push({ line: row.line, message: e.message });
    else rows.push(errorRow(e.line, e.message));
  }
  return rows.sort((a, b) => a.line - b.line);
}

function errorRow(line: number, message: string): ImportRowInput {
  const errors = [{ line, message }];
  return { line, nip: null, errors, create: { ok: false, errors }, update: { ok: false, errors } };
}

function rowInput(r: EmployeeCsvRecord): ImportRowInput {
  const { nip, scheduleId, effectiveFrom, ...rest } = r.values;
  const errors: ImportRowError[] = [];
  if (r.problem) errors.push({ line: r.line, message: r.problem });
  const n = Nip.safeParse(nip);
  if (!n.success) errors.push(...issues(r, n.error.issues, 'nip'));
  const update = EmployeeUpdate.safeParse({ ...rest, scheduleId, effectiveFrom });
  const created = EmployeeCreate.safeParse(
    Object.fromEntries(Object.entries({ nip, ...rest }).filter(([k]) => CREATE_KEYS.has(k))),
  );
  const schedule = ScheduleId.safeParse(scheduleId);
  const createErrors = [
    ...(created.success ? [] : issues(r, created.error.issues)),
    ...(schedule.success ? [] : issues(r, schedule.error.issues, 'scheduleId')),
  ].filter((e) => e.field !== 'nip');
  return {
    line: r.line,
    nip: n.success ? n.data : null,
    errors,
    create:
      created.success && createErrors.length === 0
        ? { ok: true, value: createValue(created.data, schedule.data) }
        : { ok: false, errors: createErrors },
    update: update.success
      ? { ok: true, value: update.data as ImportUpdate }
      : { ok: false, errors: issues(r, update.error.issues) },
  };
}

function createValue(c: z.infer<typeof EmployeeCreate>, scheduleId: string | undefined): ImportCreate {
  const { active: _active, ...v } = c;
  return { ...v, scheduleId };
}

/** zod's issues as row errors; a missing value is "required", text in a number column "a whole number". */
function issues(r: EmployeeCsvRecord, list: readonly z.core.$ZodIssue[], field?: string): ImportRowError[] {
  return list.map((i) => {
    const f = field ?? (i.path[0] === undefined ? undefined : String(i.path[0]));
    const value = f === undefined ? undefined : r.values[f as keyof EmployeeCsvRecord['values']];
    let message = i.message;
    if (i.code === 'invalid_type' && value === undefined)
      message = f === 'nip' ? 'required' : 'required for a new employee';
    else if (i.code === 'invalid_type' && typeof value === 'string' && i.expected === 'number')
      message = `must be a whole number, not "${value}"`;
    return f === undefined ? { line: r.line, message } : { line: r.line, field: f, message };
  });
}
