/**
 * The employee import below the real server: each CSV row read with the REST schemas (errors by
 * line and field), and the job with strict fakes: progress by chunk, a chunk that fails retried
 * row by row, a dry run writing nothing, edits recomputed in one batch.
 */
import { describe, expect, it } from 'vitest';
import { readEmployeeCsv } from '../../backend/api/employee-csv.dto.ts';
import type { EmployeeCsvRepository } from '../../backend/attendance/employee-csv.repository.ts';
import { EmployeeCsvService } from '../../backend/attendance/employee-csv.service.ts';
import type { PeopleService, PersonEdit } from '../../backend/attendance/people.service.ts';
import type { PlannedCreate } from '../../backend/domain/employee-import.ts';
import { AppError } from '../../backend/errors.ts';
import { createRootLogger } from '../../lib/logger.ts';

const NIP = (i: number) => `1990010120150120${String(i).padStart(2, '0')}`;

describe('readEmployeeCsv', () => {
  it('reads each row as a new employee and as an edit, with the REST schemas', () => {
    const rows = readEmployeeCsv(
      `nip,nama,jenis,kelasJabatan,endDate\n${NIP(1)},Ani,PPPK,9,\n${NIP(2)},,,,2025-02-30\n12,Budi,PNS,x,\n`,
    );
    expect(rows[0]).toMatchObject({
      line: 2,
      nip: NIP(1),
      errors: [],
      create: { ok: true, value: { nip: NIP(1), name: 'Ani', kind: 'PPPK', positionClass: 9 } },
      update: { ok: true, value: { name: 'Ani', kind: 'PPPK', positionClass: 9 } },
    });
    expect(rows[1]).toMatchObject({
      nip: NIP(2),
      create: {
        ok: false,
        errors: [
          { line: 3, field: 'name', message: 'required for a new employee' },
          { line: 3, field: 'endDate' },
        ],
      },
      update: { ok: false, errors: [{ line: 3, field: 'endDate' }] },
    });
    expect(rows[2]).toMatchObject({
      line: 4,
      nip: null,
      errors: [{ field: 'nip', message: 'NIP must be 18 digits' }],
      update: { ok: false, errors: [{ field: 'positionClass', message: 'must be a whole number, not "x"' }] },
    });
  });

  it('refuses a header that is not the import’s, for the whole file', () => {
    expect(() => readEmployeeCsv('nip,gaji\n1,2\n')).toThrow(/csv header: unknown column "gaji"/);
    expect(() => readEmployeeCsv('')).toThrow(AppError);
  });

  it('puts a quote that never closes on the line it opens', () => {
    const rows = readEmployeeCsv(`nip,name\n${NIP(1)},Ani\n${NIP(2)},"Budi\n${NIP(3)},Cici\n`);
    expect(rows.map((r) => [r.line, r.nip, r.errors.map((e) => e.message)])).toEqual([
      [2, NIP(1), []],
      [3, null, ['a quote opened on line 3 never closes']],
    ]);
  });
});

/** Only what the job uses; any other call throws. */
function strict<T extends object>(impl: Partial<T>): T {
  return new Proxy(impl, {
    get(target, key) {
      if (key in target) return target[key as keyof typeof target];
      if (key === 'then') return undefined;
      throw new Error(`unexpected call ${String(key)}`);
    },
  }) as T;
}

function setup(o: { failNip?: string; stored?: string[] } = {}) {
  const calls: Array<{ nips: string[]; processedBefore: number }> = [];
  const edits: PersonEdit[][] = [];
  let currentId = '';
  const processed = () => svc.importStatus(currentId, { username: 'admin', role: 'BKD' }).processed;
  const repo = strict<EmployeeCsvRepository>({
    current: async (nips: readonly string[]) =>
      new Map(
        nips
          .filter((n) => o.stored?.includes(n))
          .map((n) => [
            n,
            {
              nip: n,
              name: 'Stored',
              kind: 'PNS',
              unitId: 'default',
              siteId: null,
              superiorNip: null,
              positionClass: null,
              baseAmount: null,
              startDate: '2024-01-02',
              endDate: null,
              endReason: null,
              history: [],
              schedules: [],
            },
          ]),
      ),
    existing: async (nips: readonly string[]) => new Set(nips.filter((n) => o.stored?.includes(n))),
    unitIds: async () => new Set(['default']),
    siteZones: async () => new Map([['default', 'Asia/Jakarta']]),
    scheduleIds: async () => new Set(['office-default']),
    create: async (rows: readonly PlannedCreate[]) => {
      calls.push({ nips: rows.map((r) => r.nip), processedBefore: processed() });
      if (o.failNip && rows.some((r) => r.nip === o.failNip))
        throw Object.assign(new Error('unique'), { code: 'P2002' });
    },
  });
  const people = strict<PeopleService>({
    apply: async (nip: string) => ({ nip, from: '2026-12-01', today: '2026-12-07', active: null }),
    recomputeEdits: async (list: readonly PersonEdit[]) => {
      edits.push([...list]);
    },
  });
  const svc = new EmployeeCsvService({
    repo,
    people,
    log: createRootLogger({ level: 'silent', format: 'json' }),
    now: () => Date.parse('2026-12-07T03:00:00Z'),
    chunkSize: 2,
  });
  const start = (csv: string, dryRun = false) => {
    const v = svc.startImport(readEmployeeCsv(csv), dryRun, { all: true }, 'admin');
    currentId = v.id;
    return v;
  };
  const done = async (id: string) => {
    for (;;) {
      const s = svc.importStatus(id, { username: 'admin', role: 'BKD' });
      if (s.state !== 'Running') return s;
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  return { svc, calls, edits, start, done };
}

const csvOf = (n: number, extra: string[] = []) =>
  ['nip,name', ...Array.from({ length: n }, (_, i) => `${NIP(i + 1)},Pegawai ${i + 1}`), ...extra].join('\n');

describe('EmployeeCsvService', () => {
  it('stores new employees a chunk at a time, the progress rising with each', async () => {
    const t = setup();
    const v = t.start(csvOf(5));
    expect(v).toMatchObject({ state: 'Running', total: 5, processed: 0 });
    const s = await t.done(v.id);
    expect(s).toMatchObject({ state: 'Done', processed: 5, created: 5, failed: 0 });
    expect(t.calls.map((c) => [c.nips.length, c.processedBefore])).toEqual([
      [2, 0],
      [2, 2],
      [1, 4],
    ]);
    expect(s.rows.map((r) => r.action)).toEqual(['create', 'create', 'create', 'create', 'create']);
  });

  it('retries a chunk that fails row by row: only the bad row is an error', async () => {
    const t = setup({ failNip: NIP(2) });
    const s = await t.done(t.start(csvOf(3)).id);
    expect(s).toMatchObject({ created: 2, failed: 1 });
    expect(s.errors).toEqual([{ line: 3, field: 'nip', message: `employee ${NIP(2)} already exists` }]);
  });

  it('a dry run writes nothing; a real run recomputes its edits in one batch', async () => {
    const t = setup({ stored: [NIP(1), NIP(2)] });
    const dry = await t.done(t.start(csvOf(3), true).id);
    expect(dry).toMatchObject({ dryRun: true, created: 1, updated: 2, processed: 3 });
    expect(t.calls).toEqual([]);
    expect(t.edits).toEqual([]);
    const real = await t.done(t.start(csvOf(3)).id);
    expect(real).toMatchObject({ created: 1, updated: 2 });
    expect(t.edits.map((l) => l.map((e) => e.nip))).toEqual([[NIP(1), NIP(2)]]);
  });

  it('shows a job to its author and a super admin only', async () => {
    const t = setup();
    const v = t.start(csvOf(1));
    expect(() => t.svc.importStatus(v.id, { username: 'opd', role: 'OPD_ADMIN' })).toThrow(/no import job/);
    expect(t.svc.importStatus(v.id, { username: 'root', role: 'SUPERADMIN' }).id).toBe(v.id);
    await t.done(v.id);
  });
});
