/**
 * Employees over time, below the REST layer: `factsOn` resolves the facts in force on a date for
 * the rules, and `PeopleService.syncToday` brings the employee rows to today's values (a dated
 * change come into force, an end date passed) with a strict fake repository.
 */
import { describe, expect, it } from 'vitest';
import type { PeopleRepository, PersonPatch, PersonRow } from '../../backend/attendance/people.repository.ts';
import { PeopleService } from '../../backend/attendance/people.service.ts';
import type { EmployeeFacts, FactsVersion } from '../../backend/attendance/rules-config.repository.ts';
import { employedOn, factsOn } from '../../backend/attendance/rules-context.ts';

const version = (effectiveFrom: string, unitId: string, baseAmount: number | null): FactsVersion => ({
  effectiveFrom,
  unitId,
  siteId: null,
  superiorNip: null,
  positionClass: null,
  baseAmount,
});

const employee: EmployeeFacts = {
  nip: '199001012020121001',
  name: 'Pegawai',
  active: true,
  startDate: '2026-01-05',
  endDate: '2026-11-20',
  unitId: 'B',
  siteId: null,
  superiorNip: null,
  positionClass: null,
  baseAmount: 5,
  history: [version('2026-01-05', 'A', 4), version('2026-11-15', 'B', 5)],
};

describe('factsOn and employedOn', () => {
  it('gives each day the unit and amount that held then', () => {
    expect(factsOn(employee, '2026-11-14')).toMatchObject({ unitId: 'A', baseAmount: 4 });
    expect(factsOn(employee, '2026-11-15')).toMatchObject({ unitId: 'B', baseAmount: 5 });
    expect(factsOn({ ...employee, history: [] }, '2026-11-14')).toMatchObject({ unitId: 'B' });
  });

  it('bounds the working days by the period, both ends inclusive', () => {
    expect(
      ['2026-01-04', '2026-01-05', '2026-11-20', '2026-11-21'].map((d) => employedOn(employee, d)),
    ).toEqual([false, true, true, false]);
  });
});

/** Only what syncToday uses; anything else throws. */
function fakeRepo(rows: Array<PersonRow & { assignments: FactsVersion[] }>) {
  const saved: Array<{ nip: string; patch: PersonPatch }> = [];
  const repo = new Proxy(
    {
      toSync: async () => rows,
      siteZones: async () => new Map([['default', 'Asia/Jakarta']]),
      save: async (nip: string, patch: PersonPatch, versions: unknown) => {
        expect(versions).toBeNull();
        saved.push({ nip, patch });
      },
    },
    {
      get(target, key) {
        if (key in target) return target[key as keyof typeof target];
        throw new Error(`unexpected call ${String(key)}`);
      },
    },
  ) as unknown as PeopleRepository;
  return { repo, saved };
}

const row = (nip: string, over: Partial<PersonRow>, assignments: FactsVersion[]) => ({
  nip,
  name: 'x',
  kind: 'PNS',
  active: true,
  startDate: '2026-01-05',
  endDate: null,
  endReason: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  unitId: 'A',
  siteId: null,
  superiorNip: null,
  positionClass: null,
  baseAmount: 4,
  ...over,
  assignments,
});

describe('PeopleService.syncToday', () => {
  it('copies a change that came into force and deactivates an employment that ended', async () => {
    const { repo, saved } = fakeRepo([
      row('1', {}, [version('2026-01-05', 'A', 4), version('2026-12-01', 'B', 4)]),
      row('2', {}, [version('2026-01-05', 'A', 4), version('2027-01-01', 'B', 4)]),
      row('3', { endDate: '2026-12-06' }, []),
      row('4', { endDate: '2026-12-07' }, []),
    ]);
    const deactivated: string[] = [];
    const s = new PeopleService({
      people: repo,
      calendar: {} as never,
      recompute: {} as never,
      // 2026-12-07 10:00 WIB.
      now: () => Date.parse('2026-12-07T03:00:00Z'),
      onDeactivated: (nip) => {
        deactivated.push(nip);
      },
    });
    expect(await s.syncToday()).toEqual({ updated: 2, ended: 1 });
    expect(saved).toEqual([
      { nip: '1', patch: { unitId: 'B' } },
      { nip: '3', patch: { active: false } },
    ]);
    expect(deactivated).toEqual(['3']);
  });
});
