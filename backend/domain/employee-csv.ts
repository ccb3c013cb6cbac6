/**
 * Employees as CSV (issue #11, docs/notes/csv.md): the columns, which are the REST API's field names
 * (a few Indonesian and snake_case spellings accepted as headers), a cell as the API would take it,
 * and the export that an import takes back unchanged.
 */
import { csvField } from './csv.ts';
import type { CsvTable } from './csv-reader.ts';

export const EMPLOYEE_CSV_COLUMNS = [
  'nip',
  'name',
  'kind',
  'unitId',
  'siteId',
  'superiorNip',
  'positionClass',
  'baseAmount',
  'startDate',
  'endDate',
  'endReason',
  'scheduleId',
  'effectiveFrom',
] as const;
export type EmployeeCsvColumn = (typeof EMPLOYEE_CSV_COLUMNS)[number];

/** Whole numbers in the API: a cell of digits becomes a number, anything else stays text (and fails). */
const NUMERIC: ReadonlySet<EmployeeCsvColumn> = new Set(['positionClass', 'baseAmount']);

/** Headers as admins in Indonesia write them, besides the field names. */
const ALIASES: Readonly<Record<string, EmployeeCsvColumn>> = {
  nama: 'name',
  jenis: 'kind',
  unit: 'unitId',
  lokasi: 'siteId',
  site: 'siteId',
  atasan: 'superiorNip',
  kelasjabatan: 'positionClass',
  tpp: 'baseAmount',
  tmt: 'startDate',
  jadwal: 'scheduleId',
  berlaku: 'effectiveFrom',
};

/** A header compared without case, spaces, `_` or `-`: `unit_id`, `Unit ID` and `unitId` are one. */
function headerKey(h: string): string {
  return h.toLowerCase().replace(/[\s_-]/g, '');
}

const BY_KEY: ReadonlyMap<string, EmployeeCsvColumn> = new Map([
  ...EMPLOYEE_CSV_COLUMNS.map((c) => [headerKey(c), c] as const),
  ...Object.entries(ALIASES),
]);

/** The column each header names; problems: an unknown or repeated header, or no `nip`. */
export function employeeCsvHeader(header: readonly string[]): {
  columns: (EmployeeCsvColumn | null)[];
  problems: string[];
} {
  const problems: string[] = [];
  const seen = new Map<EmployeeCsvColumn, string>();
  const columns = header.map((h) => {
    if (h === '') return null;
    const c = BY_KEY.get(headerKey(h));
    if (!c) {
      problems.push(`unknown column "${h}" (columns: ${EMPLOYEE_CSV_COLUMNS.join(', ')})`);
      return null;
    }
    const before = seen.get(c);
    if (before !== undefined) problems.push(`columns "${before}" and "${h}" are both ${c}`);
    seen.set(c, h);
    return c;
  });
  if (!seen.has('nip')) problems.push('no nip column');
  return { columns, problems };
}

/**
 * A cell as the API takes it: empty is absent (the field is left as it is), a whole number in a
 * numeric column is a number, and a text the export defused against spreadsheet formulas (`'=…`,
 * csv.ts) gets its apostrophe back off, so that an export imports back unchanged.
 */
export function cellValue(column: EmployeeCsvColumn, raw: string): string | number | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  if (NUMERIC.has(column) && /^\d{1,15}$/.test(v)) return Number(v);
  if (/^'[=+\-@\t\r]/.test(v)) return v.slice(1);
  return v;
}

export type EmployeeCsvRecord = {
  line: number;
  values: Partial<Record<EmployeeCsvColumn, string | number>>;
  /** A line with more fields than the header (a stray delimiter, say): which column a value is for is unknown. */
  problem?: string;
};

/** The table's records as values keyed by column (the header must have no problems). */
export function employeeCsvRecords(
  table: CsvTable,
  columns: readonly (EmployeeCsvColumn | null)[],
): EmployeeCsvRecord[] {
  return table.records.map((r) => {
    const values: EmployeeCsvRecord['values'] = {};
    columns.forEach((c, i) => {
      if (c === null) return;
      const v = cellValue(c, r.fields[i] ?? '');
      if (v !== undefined) values[c] = v;
    });
    const extra = r.fields.slice(columns.length).some((f) => f.trim() !== '');
    return extra
      ? {
          line: r.line,
          values,
          problem: `${r.fields.length} fields where the header has ${columns.length}`,
        }
      : { line: r.line, values };
  });
}

/** One employee as exported: the values in force today and the employment period. */
export type EmployeeCsvExportRow = {
  nip: string;
  name: string;
  kind: string;
  unitId: string;
  siteId: string | null;
  superiorNip: string | null;
  positionClass: number | null;
  baseAmount: number | null;
  startDate: string | null;
  endDate: string | null;
  endReason: string | null;
  /** The employee's own schedule in force today; null when they follow their unit's. */
  scheduleId: string | null;
};

/** The export: every column, `effectiveFrom` left empty (an edit fills it in), CRLF line ends. */
export function employeesCsv(rows: readonly EmployeeCsvExportRow[]): string {
  const lines = [EMPLOYEE_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(EMPLOYEE_CSV_COLUMNS.map((c) => csvField(c === 'effectiveFrom' ? null : r[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
