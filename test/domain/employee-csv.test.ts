/** Employees as CSV: the header, a cell as the API takes it, and an export that reads back unchanged. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../backend/domain/csv-reader.ts';
import {
  cellValue,
  type EmployeeCsvExportRow,
  employeeCsvHeader,
  employeeCsvRecords,
  employeesCsv,
} from '../../backend/domain/employee-csv.ts';

describe('employeeCsvHeader', () => {
  it('takes the API’s field names in any case or spelling, and the Indonesian aliases', () => {
    const h = employeeCsvHeader([
      'NIP',
      'Nama',
      'unit_id',
      'Kelas Jabatan',
      'tmt',
      'lokasi',
      'atasan',
      'jenis',
    ]);
    expect(h.problems).toEqual([]);
    expect(h.columns).toEqual([
      'nip',
      'name',
      'unitId',
      'positionClass',
      'startDate',
      'siteId',
      'superiorNip',
      'kind',
    ]);
  });

  it('names an unknown column, a column given twice and a missing nip', () => {
    expect(employeeCsvHeader(['nip', 'gaji']).problems).toEqual([expect.stringContaining('"gaji"')]);
    expect(employeeCsvHeader(['nip', 'name', 'nama']).problems).toEqual([
      'columns "name" and "nama" are both name',
    ]);
    expect(employeeCsvHeader(['name']).problems).toEqual(['no nip column']);
  });
});

describe('cellValue', () => {
  it('leaves an empty cell out, reads digits as a number in a numeric column only', () => {
    expect(cellValue('baseAmount', '  ')).toBeUndefined();
    expect(cellValue('baseAmount', '4000000')).toBe(4_000_000);
    expect(cellValue('baseAmount', '4.000.000')).toBe('4.000.000');
    expect(cellValue('nip', '199001012015011001')).toBe('199001012015011001');
  });

  it('takes back the apostrophe the export puts before a formula-like text', () => {
    expect(cellValue('name', "'=SUM(A1)")).toBe('=SUM(A1)');
    expect(cellValue('name', "'-Ani")).toBe('-Ani');
    expect(cellValue('name', "O'Neil")).toBe("O'Neil");
  });
});

describe('employeeCsvRecords', () => {
  it('keys the values by column, keeps each record’s line, and flags a line with too many fields', () => {
    const t = parseCsv('nip;nama;kelasJabatan\n1;"Dewi\nS";9\n2;Budi;7;x\n');
    const { columns } = employeeCsvHeader(t.header);
    expect(employeeCsvRecords(t, columns)).toEqual([
      { line: 2, values: { nip: '1', name: 'Dewi\nS', positionClass: 9 } },
      {
        line: 4,
        values: { nip: '2', name: 'Budi', positionClass: 7 },
        problem: '4 fields where the header has 3',
      },
    ]);
  });
});

const row = (over: Partial<EmployeeCsvExportRow> = {}): EmployeeCsvExportRow => ({
  nip: '199001012015011001',
  name: 'Ani',
  kind: 'PNS',
  unitId: 'dinkes',
  siteId: null,
  superiorNip: null,
  positionClass: null,
  baseAmount: null,
  startDate: '2024-01-02',
  endDate: null,
  endReason: null,
  scheduleId: null,
  ...over,
});

describe('employeesCsv', () => {
  it('writes every column, effectiveFrom empty', () => {
    const csv = employeesCsv([row({ baseAmount: 4_000_000, scheduleId: 'office-default' })]);
    expect(csv).toBe(
      'nip,name,kind,unitId,siteId,superiorNip,positionClass,baseAmount,startDate,endDate,endReason,scheduleId,effectiveFrom\r\n' +
        '199001012015011001,Ani,PNS,dinkes,,,,4000000,2024-01-02,,,office-default,\r\n',
    );
  });

  it('reads back as the values it wrote, whatever the name holds', () => {
    // Not a name that itself starts with an apostrophe before = + - @: read as a defused formula.
    const name = fc
      .string({ minLength: 1, maxLength: 30, unit: 'grapheme' })
      .filter((s) => s.trim() === s && s !== '' && !/^'[=+\-@]/.test(s));
    fc.assert(
      fc.property(
        fc.oneof(name, fc.constantFrom('=1+2', '-Ani', '@x', 'a,"b"\nc', 'Dewi; S.Pd')),
        fc.option(fc.integer({ min: 0, max: 2_000_000_000 })),
        (name, baseAmount) => {
          const t = parseCsv(employeesCsv([row({ name, baseAmount })]));
          const [r] = employeeCsvRecords(t, employeeCsvHeader(t.header).columns);
          expect(r?.values.name).toBe(name);
          expect(r?.values.baseAmount).toBe(baseAmount ?? undefined);
        },
      ),
    );
  });
});
