/**
 * What an employee import does per row, before anything is written: create or update by NIP with
 * only the fields that differ, dated fields against what holds on effectiveFrom (default today),
 * and the errors a row gets (references, scope, period, the same NIP twice, a superior nowhere).
 */
import { describe, expect, it } from 'vitest';
import {
  type ImportContext,
  type ImportCreate,
  type ImportCurrent,
  type ImportRowInput,
  type ImportUpdate,
  planImport,
} from '../../backend/domain/employee-import.ts';

const NIP = (i: number) => `1990010120150110${String(i).padStart(2, '0')}`;
/** 2026-12-07 10:00 WIB. */
const NOW = Date.parse('2026-12-07T03:00:00Z');

const current = (i: number, over: Partial<ImportCurrent> = {}): ImportCurrent => ({
  nip: NIP(i),
  name: `Pegawai ${i}`,
  kind: 'PNS',
  unitId: 'dinkes',
  siteId: null,
  superiorNip: null,
  positionClass: 7,
  baseAmount: null,
  startDate: '2024-01-02',
  endDate: null,
  endReason: null,
  history: [],
  schedules: [],
  ...over,
});

const ctx = (existing: ImportCurrent[] = [], over: Partial<ImportContext> = {}): ImportContext => ({
  now: NOW,
  existing: new Map(existing.map((e) => [e.nip, e])),
  knownNips: new Set(existing.map((e) => e.nip)),
  units: new Set(['default', 'dinkes', 'bappeda']),
  siteZones: new Map([
    ['default', 'Asia/Jakarta'],
    ['timur', 'Asia/Jayapura'],
  ]),
  defaultSiteId: 'default',
  schedules: new Set(['office-default', 'shift']),
  inScope: () => true,
  defaultUnitId: 'default',
  ...over,
});

/** A row read both ways, as the boundary does (zod aside). */
const input = (line: number, nip: string, v: Partial<ImportCreate> & ImportUpdate): ImportRowInput => ({
  line,
  nip,
  errors: [],
  create:
    v.name === undefined
      ? { ok: false, errors: [{ line, field: 'name', message: 'required for a new employee' }] }
      : { ok: true, value: { kind: 'PNS', ...v, nip, name: v.name } as ImportCreate },
  update: { ok: true, value: v },
});

describe('planImport', () => {
  it('creates a new NIP from its start date (default today in its site’s zone), active unless ended', () => {
    const plan = planImport(
      [
        input(2, NIP(1), { name: 'Ani', unitId: 'dinkes' }),
        input(3, NIP(2), { name: 'Budi', siteId: 'timur', startDate: '2020-01-01', endDate: '2025-01-01' }),
      ],
      ctx([], { now: Date.parse('2026-12-07T16:00:00Z') }),
    );
    expect(plan).toMatchObject([
      { action: 'create', create: { unitId: 'dinkes', startDate: '2026-12-07', active: true } },
      { action: 'create', create: { unitId: 'default', startDate: '2020-01-01', active: false } },
    ]);
    // In Jayapura (WIT) it is already the 8th.
    const wit = planImport(
      [input(2, NIP(3), { name: 'Cici', siteId: 'timur' })],
      ctx([], { now: Date.parse('2026-12-07T16:00:00Z') }),
    );
    expect(wit[0]).toMatchObject({ create: { startDate: '2026-12-08' } });
  });

  it('updates with only the fields that differ; equal rows are unchanged', () => {
    const e = current(1);
    const plan = planImport(
      [
        input(2, NIP(1), { name: 'Pegawai 1', positionClass: 7, startDate: '2024-01-02' }),
        input(3, NIP(2), { name: 'Nama Baru', kind: 'PPPK', positionClass: 7 }),
      ],
      ctx([e, current(2)]),
    );
    expect(plan).toEqual([
      { line: 2, nip: NIP(1), action: 'unchanged' },
      {
        line: 3,
        nip: NIP(2),
        action: 'update',
        update: { name: 'Nama Baru', kind: 'PPPK' },
        fields: ['name', 'kind'],
        effectiveFrom: null,
      },
    ]);
  });

  it('compares a dated field with what holds on effectiveFrom; a change without one applies from today', () => {
    const e = current(1, {
      positionClass: 9,
      history: [
        {
          effectiveFrom: '2024-01-02',
          unitId: 'dinkes',
          siteId: null,
          superiorNip: null,
          positionClass: 7,
          baseAmount: null,
        },
        {
          effectiveFrom: '2025-06-01',
          unitId: 'dinkes',
          siteId: null,
          superiorNip: null,
          positionClass: 9,
          baseAmount: null,
        },
      ],
      schedules: [
        {
          scheduleId: 'shift',
          target: { kind: 'Employee', employeeId: NIP(1) },
          effectiveFrom: '2025-01-01',
          effectiveTo: null,
        },
      ],
    });
    const plan = planImport(
      [input(2, NIP(1), { positionClass: 7, effectiveFrom: '2025-01-01', scheduleId: 'shift' })],
      ctx([e]),
    );
    expect(plan[0]).toMatchObject({ action: 'unchanged' });
    const [later] = planImport(
      [input(2, NIP(1), { positionClass: 7, scheduleId: 'office-default' })],
      ctx([e]),
    );
    expect(later).toMatchObject({
      action: 'update',
      update: { positionClass: 7, scheduleId: 'office-default', effectiveFrom: '2026-12-07' },
      fields: ['positionClass', 'scheduleId'],
      effectiveFrom: '2026-12-07',
    });
  });

  it('gives each bad row its line and field, and keeps the good ones', () => {
    const plan = planImport(
      [
        input(2, NIP(1), { name: 'A', unitId: 'nope' }),
        input(3, NIP(2), { name: 'B', siteId: 'mars', scheduleId: 'night' }),
        input(4, NIP(3), { name: 'C', startDate: '2024-03-01', endDate: '2024-02-01' }),
        input(5, NIP(9), { endDate: '2023-01-01' }),
        input(6, NIP(4), { name: 'D' }),
        input(7, NIP(4), { name: 'D again' }),
        input(8, NIP(5), { name: 'E', superiorNip: NIP(5) }),
      ],
      ctx([current(9)]),
    );
    const errors = plan.flatMap((p) => (p.action === 'error' ? p.errors.map((e) => [e.line, e.field]) : []));
    expect(errors).toEqual([
      [2, 'unitId'],
      [3, 'siteId'],
      [3, 'scheduleId'],
      [4, 'endDate'],
      [5, 'endDate'],
      [7, 'nip'],
      [8, 'superiorNip'],
    ]);
    expect(plan[4]?.action).toBe('create');
  });

  it('takes a superior created later in the file; one that nothing creates fails, and so do those under it', () => {
    const plan = planImport(
      [
        input(2, NIP(1), { name: 'A', superiorNip: NIP(3) }),
        input(3, NIP(2), { name: 'B', superiorNip: NIP(4) }),
        input(4, NIP(3), { name: 'C' }),
        input(5, NIP(4), { name: 'D', superiorNip: NIP(8) }),
      ],
      ctx(),
    );
    expect(plan.map((p) => p.action)).toEqual(['create', 'error', 'create', 'error']);
    expect(plan[1]).toMatchObject({ errors: [{ line: 3, field: 'superiorNip' }] });
  });

  it('keeps an OPD admin to their units: the employee’s unit and the new one', () => {
    const scoped = ctx([current(1), current(2, { unitId: 'bappeda' })], {
      inScope: (u) => u === 'dinkes',
      defaultUnitId: 'dinkes',
    });
    const plan = planImport(
      [
        input(2, NIP(1), { unitId: 'bappeda', effectiveFrom: '2026-12-01' }),
        input(3, NIP(2), { name: 'X' }),
        input(4, NIP(3), { name: 'New' }),
      ],
      scoped,
    );
    expect(plan).toMatchObject([
      { action: 'error', errors: [{ field: 'unitId', message: 'unit bappeda is outside your scope' }] },
      {
        action: 'error',
        errors: [{ field: 'unitId', message: expect.stringContaining('bappeda, outside your scope') }],
      },
      { action: 'create', create: { unitId: 'dinkes' } },
    ]);
  });

  it('reports a row without a valid NIP with every error it has', () => {
    const bad: ImportRowInput = {
      line: 2,
      nip: null,
      errors: [{ line: 2, field: 'nip', message: 'NIP must be 18 digits' }],
      create: { ok: false, errors: [] },
      update: {
        ok: false,
        errors: [{ line: 2, field: 'endDate', message: 'must be a valid date YYYY-MM-DD' }],
      },
    };
    expect(planImport([bad], ctx())).toEqual([
      {
        line: 2,
        nip: null,
        action: 'error',
        errors: [...bad.errors, { line: 2, field: 'endDate', message: 'must be a valid date YYYY-MM-DD' }],
      },
    ]);
  });
});
